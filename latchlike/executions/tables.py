"""The executions table. Inputs are kept as the serialized LiteralMap the workflow gets,
so what ran can always be shown, compared and relaunched exactly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from latchlike.db import Base, UTCDateTime, utcnow


class ExecutionRow(Base):
    __tablename__ = "executions"
    __table_args__ = (
        UniqueConstraint("project", "domain", "name", name="uq_execution_name"),
        Index("ix_execution_created", "project", "domain", "created_at"),
        Index("ix_execution_phase", "phase"),
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
    outputs: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Options from the launch (ExecutionSpec) or its launch plan.
    overwrite_cache: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Cached tasks run again (no cache reads); their outputs still replace the cached ones."""
    envs: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    """Extra environment variables of every task process."""
    labels: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    annotations: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    max_parallelism: Mapped[int] = mapped_column(default=0, server_default="0")
    """Task attempts of this execution running at once; 0 for no limit."""
    recovered_from: Mapped[str | None] = mapped_column(String(255), default=None)
    """The failed execution (same project and domain) whose succeeded nodes this one reuses."""
    parent_execution: Mapped[str | None] = mapped_column(String(255), default=None)
    parent_node: Mapped[str | None] = mapped_column(String(255), default=None)
    """The launch-plan node (of `parent_execution`, same project and domain) that started this one."""
    triggered_by: Mapped[str | None] = mapped_column(Text, default=None)
    """`<project>/<path>` of the managed file whose upload launched this one (QC triggers)."""


class NodeExecutionRow(Base):
    """One attempt of one node. Written only by the engine loop. `node_id` is the node's path
    (`n1`, `n1-0-n0` inside a sub-workflow or branch, `n1-7` for a map task's item)."""

    __tablename__ = "node_executions"
    __table_args__ = (UniqueConstraint("execution_id", "node_id", "attempt", name="uq_node_attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id"))
    node_id: Mapped[str] = mapped_column(String(255))
    attempt: Mapped[int]
    task: Mapped[str] = mapped_column(String(255))
    """The task template's name; empty for a node that runs others (sub-workflow, branch, array)."""
    kind: Mapped[str] = mapped_column(String(16), default="task", server_default="task")
    parent_id: Mapped[str | None] = mapped_column(String(255), default=None)
    """The path of the sub-workflow, branch or array node this one runs inside."""
    phase: Mapped[str] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text, default=None)
    error_kind: Mapped[str | None] = mapped_column(String(8), default=None)
    """USER (the task's own error, or a timeout) or SYSTEM (a crash, an eviction): each
    has its own retry budget."""
    # Outputs reused from an earlier run of the same cached task with the same inputs.
    cache_hit: Mapped[bool] = mapped_column(default=False, server_default=false())
    child_execution: Mapped[str | None] = mapped_column(String(255), default=None)
    """For a launch-plan node: the execution it started (same project and domain)."""
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class TaskCacheRow(Base):
    """Outputs of a cached task (`cache=True`), by task, `cache_version`, and `key`: a digest
    of its interface and input literals. Written by the engine when such a task succeeds."""

    __tablename__ = "task_cache"
    __table_args__ = (UniqueConstraint("project", "domain", "task", "cache_version", "key", name="uq_task_cache_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str] = mapped_column(String(255))
    task: Mapped[str] = mapped_column(String(255))
    cache_version: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(64))
    outputs: Mapped[bytes] = mapped_column(LargeBinary)
    execution: Mapped[str] = mapped_column(String(255))
    node_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExecutionFileRow(Base):
    """A file an execution was given or a node wrote, with its checksum: what a result can
    be traced back to. Written by the engine (inputs when the execution starts, outputs as
    each task attempt succeeds)."""

    __tablename__ = "execution_files"
    __table_args__ = (Index("ix_execution_files_execution", "execution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id"))
    direction: Mapped[str] = mapped_column(String(8))
    """`input` or `output`."""
    name: Mapped[str] = mapped_column(String(255))
    """Where in the inputs or outputs: `reads`, `samples[2]`, `o0.report`."""
    uri: Mapped[str] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(Text, default=None)
    """The store key when the file is in latchlike's store (None: a URI outside it)."""
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    """Of the file's bytes; of a directory, of its sorted `path checksum` lines."""
    size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    node_id: Mapped[str | None] = mapped_column(String(255), default=None)
    """For an output: the node that wrote it."""
    folder: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A directory (its files are listed from the store under `key`)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignalRow(Base):
    """A value a gate node waits for (`approve`, `wait_for_input`): created when the gate
    starts or a client asks for it, given by `SetSignal` or the execution page."""

    __tablename__ = "signals"
    __table_args__ = (UniqueConstraint("execution_id", "signal_id", name="uq_signal"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id"))
    signal_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[bytes] = mapped_column(LargeBinary)
    """The serialized LiteralType the value must have."""
    value: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The serialized Literal; None until it is set."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    set_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
