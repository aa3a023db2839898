"""The executions table. Inputs are kept as the serialized LiteralMap the workflow gets,
so what ran can always be shown, compared and relaunched exactly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from latchlike.db import Base, UTCDateTime, utcnow


class ExecutionRow(Base):
    __tablename__ = "executions"
    __table_args__ = (
        UniqueConstraint("project", "domain", "name", name="uq_execution_name"),
        Index("ix_execution_created", "project", "domain", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    # The launch plan and its workflow share a version when pyflyte registers them.
    launch_plan: Mapped[str] = mapped_column(String(255))
    workflow: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(255))
    inputs: Mapped[bytes] = mapped_column(LargeBinary)
    phase: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    launched_by: Mapped[str] = mapped_column(String(255))
    relaunch_of: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
