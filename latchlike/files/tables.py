"""The managed files table: one row per file or folder of a project, live or in the trash.

A live path is unique in its project (a partial index: the trash may hold many rows of
one path). `parent` + `name` make listing a folder one indexed range, however many files
the project holds. `key` is where the object is now: `files/<project>/<path>` while live,
under `trash/` once deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, text, true
from sqlalchemy.orm import Mapped, mapped_column

from latchlike.db import Base, UTCDateTime, utcnow

ANONYMOUS = "anonymous"
"""Who uploads while there are no accounts."""
_LIVE = text("trashed_at IS NULL")


class ManagedFileRow(Base):
    __tablename__ = "managed_files"
    __table_args__ = (
        Index("uq_managed_files_live_path", "project", "path", unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_managed_files_folder", "project", "parent", "name"),
        Index("ix_managed_files_trash", "project", "trash_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)
    """Below the project's folder, without leading or trailing slashes."""
    parent: Mapped[str] = mapped_column(Text)
    """The folder's path; '' at the project's top."""
    name: Mapped[str] = mapped_column(String(255))
    is_folder: Mapped[bool] = mapped_column(default=False)
    key: Mapped[str | None] = mapped_column(Text, default=None)
    """The store object of a file; None for a folder."""
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    kind: Mapped[str | None] = mapped_column(String(32), default=None)
    kind_detected: Mapped[bool] = mapped_column(default=True, server_default=true())
    """False once a person set `kind` (`kinds_set.py`); every reader of `kind` then sees their
    choice. A new upload to the path is detected again."""
    compression: Mapped[str | None] = mapped_column(String(16), default=None)
    uploaded_by: Mapped[str] = mapped_column(String(255), default=ANONYMOUS)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    written_by: Mapped[str | None] = mapped_column(String(255), default=None)
    """The execution (project/domain/name) whose task wrote the file; None for an upload."""
    trashed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    trash_id: Mapped[int | None] = mapped_column(default=None)
    """The row whose deletion sent this one to the trash (itself, or the folder it was in):
    restoring that row brings back everything trashed with it."""


class OutputDirectoryRow(Base):
    """A folder of the project's files an execution writes (Latch's `output: true`), chosen
    at launch: the task writes below `key` (its execution's own prefix in the store), and
    when the execution succeeds what it wrote is recorded at `path` (`written.py`)."""

    __tablename__ = "execution_output_dirs"
    __table_args__ = (Index("ix_execution_output_dirs_execution", "execution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id"))
    input: Mapped[str] = mapped_column(String(255))
    """The workflow input that names the directory."""
    project: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)
    """The folder chosen in the form, below the project's folder."""
    key: Mapped[str] = mapped_column(Text)
    """Where the task writes: the URI it was given instead of the chosen folder's."""
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
