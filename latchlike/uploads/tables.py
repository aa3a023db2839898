"""Objects clients uploaded through signed URLs (fast-register code bundles)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from latchlike.db import Base, UTCDateTime, utcnow


class UploadedObjectRow(Base):
    __tablename__ = "uploaded_objects"

    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
