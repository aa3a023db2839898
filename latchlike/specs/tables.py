"""Tables of the registry. Specs are kept as the serialized protos clients sent, plus the
few columns that listing and uniqueness need."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from latchlike.accounts.tables import DEFAULT_WORKSPACE
from latchlike.db import Base, UTCDateTime, utcnow


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Everything of the project (entities, files, rules, executions) belongs to this workspace.
    workspace_id: Mapped[str] = mapped_column(
        String(63), ForeignKey("workspaces.id"), index=True, default=DEFAULT_WORKSPACE
    )


class EntityRow(Base):
    """One version of a task, workflow or launch plan (`kind` tells which)."""

    __tablename__ = "registered_entities"
    __table_args__ = (
        UniqueConstraint("kind", "project", "domain", "name", "version", name="uq_entity_version"),
        Index("ix_entity_named", "kind", "project", "domain", "name", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[int]
    project: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))
    spec: Mapped[bytes] = mapped_column(LargeBinary)
    # The compiled form Get answers with: a CompiledTask, a CompiledWorkflowClosure, or a
    # launch plan's expected inputs and outputs. Computed once at registration.
    compiled: Mapped[bytes] = mapped_column(LargeBinary)
    short_description: Mapped[str] = mapped_column(Text, default="")
    # Launch plans only: ACTIVE or INACTIVE. The one mutable field of a registered entity.
    state: Mapped[int | None] = mapped_column(default=None)
    # Workflows only: `ui_gen.source.SourceHints` as JSON (signature and field order, which
    # the protos lose), read from the registered code at registration; None without it.
    form_hints: Mapped[str | None] = mapped_column(Text, default=None)
    # Who registered it: the account (or the token's owner), or BUILT_IN for the server's own.
    registered_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
