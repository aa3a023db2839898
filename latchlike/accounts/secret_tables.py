"""The table of workspace secrets: each value sealed (`secret_box`), never stored in clear."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from latchlike.db import Base, UTCDateTime, utcnow


class WorkspaceSecretRow(Base):
    __tablename__ = "workspace_secrets"

    workspace_id: Mapped[str] = mapped_column(String(63), ForeignKey("workspaces.id"), primary_key=True)
    secret_group: Mapped[str] = mapped_column(String(63), primary_key=True)
    secret_key: Mapped[str] = mapped_column(String(63), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    """Nonce and AES-GCM ciphertext, bound to workspace, group and key."""
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
