"""QC rules, the trigger outbox and the runs that dedupe it.

A trigger is written in the transaction that records its file, so no way in can record a
file and lose its QC. A run is keyed by what its result depends on (project, workflow
version, parameters, content): the unique `dedupe_key` is what makes the same content
never processed twice, whatever runs concurrently; a forced re-run retires the old key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from latchlike.db import Base, UTCDateTime, utcnow


class QcRuleRow(Base):
    """A project's rule: files of `kind` (in folders matching `folder_glob`, '' for any) run
    the workflow `domain`/`workflow` of the same project, at `version` or the newest."""

    __tablename__ = "qc_rules"
    __table_args__ = (UniqueConstraint("project", "kind", "folder_glob", name="uq_qc_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    folder_glob: Mapped[str] = mapped_column(String(255), default="")
    domain: Mapped[str] = mapped_column(String(255))
    workflow: Mapped[str] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(255), default=None)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Inputs besides the file, as the JSON launch API takes them."""
    enabled: Mapped[bool] = mapped_column(default=True)
    """Off: files this rule matches get no QC (a way to switch a default off)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QcRunRow(Base):
    """One QC execution, shared by every file of the same content that asked for it."""

    __tablename__ = "qc_runs"
    __table_args__ = (Index("uq_qc_runs_dedupe", "dedupe_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(64), default=None)
    """Digest of project, domain, workflow, version, parameters, input shape and SHA-256;
    None once a forced re-run of the same key replaced this run."""
    sha256: Mapped[str] = mapped_column(String(64))
    execution_id: Mapped[int | None] = mapped_column(ForeignKey("executions.id"), default=None)
    """Set in the transaction that claims the key (None only inside that transaction)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TriggerRow(Base):
    """A file that asked for its QC: pending until `processed_at`, then linked to the run it
    launched or reused, or ended with `status` (`none`: no QC applies; `failed`: refused)
    and `message`. A file's QC state is that of its newest trigger."""

    __tablename__ = "qc_triggers"
    __table_args__ = (
        Index("ix_qc_triggers_pending", "processed_at"),
        Index("ix_qc_triggers_file", "file_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    file_id: Mapped[int]
    """The managed file's row (no foreign key: purging a file must not wait for its QC)."""
    project: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)
    """Where the file was when it was recorded: what "triggered by the upload of" names."""
    sha256: Mapped[str] = mapped_column(String(64))
    force: Mapped[bool] = mapped_column(default=False)
    """Asked for by hand: run again even if the same content ran already."""
    requested_by: Mapped[str | None] = mapped_column(String(320), default=None)
    """Who asked for it by hand, whom its run is launched as; None: the upload itself (the
    run is then the uploader's)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("qc_runs.id"), default=None)
    status: Mapped[str | None] = mapped_column(String(16), default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
