"""Recording and reading executions.

An accepted launch is recorded as QUEUED with its exact inputs; the engine picks queued
rows up and is the only writer from then on. Names are FlyteAdmin-style: a letter and
19 lowercase letters or digits.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from flyteidl.core import literals_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.secrets import launch_secrets, require_secrets
from latchlike.db import utcnow
from latchlike.errors import InvalidArgument, NotFound
from latchlike.executions.options import DEFAULTS, ExecutionOptions
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow
from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.specs.ids import EntityId, ResourceKind, check_id_part
from latchlike.specs.listing import ListQuery, apply, next_token

_ALPHABET = string.ascii_lowercase + string.digits
# FlyteAdmin's execution fields, by the names its filters and sort keys use.
_COLUMNS = {
    "name": ExecutionRow.name,
    "created_at": ExecutionRow.created_at,
    "execution_created_at": ExecutionRow.created_at,
    "updated_at": ExecutionRow.updated_at,
    "execution_updated_at": ExecutionRow.updated_at,
    "started_at": ExecutionRow.started_at,
    "phase": ExecutionRow.phase,
    "project": ExecutionRow.project,
    "domain": ExecutionRow.domain,
    "user": ExecutionRow.launched_by,
    "launch_plan.name": ExecutionRow.launch_plan,
    "launch_plan.version": ExecutionRow.version,
    "workflow.name": ExecutionRow.workflow,
    "workflow.version": ExecutionRow.version,
}
_NAME_BITS = 128
"""Enough random bits for the 20 characters of a name to be (very nearly) uniform."""


class Source(StrEnum):
    FORM = "form"
    API = "api"
    CLI = "cli"
    TRIGGER = "trigger"
    NODE = "node"
    """A launch-plan node of another execution."""


@dataclass(frozen=True)
class ExecutionKey:
    project: str
    domain: str
    name: str

    def __post_init__(self) -> None:
        for part in ("project", "domain", "name"):
            check_id_part("execution", part, getattr(self, part))

    def __str__(self) -> str:
        return f"{self.project}/{self.domain}/{self.name}"


@dataclass(frozen=True)
class Execution:
    key: ExecutionKey
    launch_plan: EntityId
    workflow: str
    inputs: literals_pb2.LiteralMap
    phase: str
    source: str
    launched_by: str
    relaunch_of: str | None
    created_at: datetime
    outputs: literals_pb2.LiteralMap | None = None
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    nodes: tuple[NodeAttempt, ...] = ()
    options: ExecutionOptions = DEFAULTS
    recovered_from: str | None = None
    parent: ParentNode | None = None
    """The launch-plan node that started this execution, if one did."""
    triggered_by: str | None = None
    """`<project>/<path>` of the managed file whose upload launched it (`triggers`)."""


@dataclass(frozen=True)
class ParentNode:
    """A node of another execution (same project and domain)."""

    execution: str
    node_id: str


@dataclass(frozen=True)
class NodeAttempt:
    node_id: str
    attempt: int
    task: str
    phase: str
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    cache_hit: bool = False
    kind: str = "task"
    """task, item (of a map task), workflow, branch or array: see `engine.walk.Kind`."""
    parent_id: str | None = None
    child_execution: str | None = None
    """For a launch-plan node: the execution it started."""


def new_execution_name() -> str:
    # One draw of random bits, not 20 `secrets.choice` calls: a burst names a thousand at once.
    bits = secrets.randbits(_NAME_BITS)
    name = [string.ascii_lowercase[bits % 26]]
    bits //= 26
    for _ in range(19):
        bits, digit = divmod(bits, 36)
        name.append(_ALPHABET[digit])
    return "".join(name)


def create_execution(session: Session, row: ExecutionRow) -> ExecutionKey:
    """Record a new execution (made by `execution_row`), if its workspace has the secrets its tasks ask for."""
    require_secrets(session, row.project, launch_secrets(session, row))
    session.add(row)
    session.flush()
    return ExecutionKey(row.project, row.domain, row.name)


def execution_row(
    *,
    launch_plan: EntityId,
    workflow: str,
    inputs: literals_pb2.LiteralMap,
    source: Source,
    launched_by: str = LOCAL_PRINCIPAL,
    relaunch_of: str | None = None,
    name: str = "",
    options: ExecutionOptions = DEFAULTS,
    recovered_from: str | None = None,
    parent: ParentNode | None = None,
    triggered_by: str | None = None,
) -> ExecutionRow:
    """The row of a new QUEUED execution, not yet added to a session (launches are recorded in batches)."""
    key = ExecutionKey(launch_plan.project, launch_plan.domain, name or new_execution_name())
    return ExecutionRow(
        project=key.project,
        domain=key.domain,
        name=key.name,
        launch_plan=launch_plan.name,
        workflow=workflow,
        version=launch_plan.version,
        inputs=inputs.SerializeToString(deterministic=True),
        phase="QUEUED",
        source=source.value,
        launched_by=launched_by,
        relaunch_of=relaunch_of,
        overwrite_cache=options.overwrite_cache,
        envs=dict(options.envs) or None,
        labels=dict(options.labels) or None,
        annotations=dict(options.annotations) or None,
        max_parallelism=options.max_parallelism,
        recovered_from=recovered_from,
        parent_execution=parent.execution if parent else None,
        parent_node=parent.node_id if parent else None,
        triggered_by=triggered_by,
        created_at=utcnow(),
    )


def get_execution(session: Session, key: ExecutionKey) -> Execution:
    row = session.scalar(
        select(ExecutionRow).where(
            ExecutionRow.project == key.project, ExecutionRow.domain == key.domain, ExecutionRow.name == key.name
        )
    )
    if row is None:
        raise NotFound(f"no execution {key}")
    attempts = session.scalars(
        select(NodeExecutionRow)
        .where(NodeExecutionRow.execution_id == row.id)
        .order_by(NodeExecutionRow.started_at, NodeExecutionRow.node_id, NodeExecutionRow.attempt)
    )
    nodes = tuple(
        NodeAttempt(
            a.node_id,
            a.attempt,
            a.task,
            a.phase,
            a.error,
            a.started_at,
            a.finished_at,
            a.cache_hit,
            a.kind,
            a.parent_id,
            a.child_execution,
        )
        for a in attempts
    )
    return replace(execution_of(row), nodes=nodes)


def list_executions_page(
    session: Session, *, project: str, domain: str, query: ListQuery
) -> tuple[list[Execution], str]:
    """FlyteAdmin's ListExecutions: one project and domain, newest first, offset tokens."""
    if not project or not domain:
        raise InvalidArgument("listing executions needs a project and a domain")
    statement = select(ExecutionRow).where(ExecutionRow.project == project, ExecutionRow.domain == domain)
    rows = list(session.scalars(apply(statement, query, _COLUMNS)))
    return [execution_of(row) for row in rows], next_token(query, len(rows))


def list_executions(session: Session, *, limit: int = 100, projects: frozenset[str] | None = None) -> list[Execution]:
    """The newest executions, of `projects` only if given (what a principal may see)."""
    statement = select(ExecutionRow).order_by(ExecutionRow.created_at.desc()).limit(limit)
    if projects is not None:
        statement = statement.where(ExecutionRow.project.in_(projects))
    rows = session.scalars(statement)
    return [execution_of(row) for row in rows]


def execution_of(row: ExecutionRow) -> Execution:
    """The execution a row records, without its node attempts."""
    return Execution(
        key=ExecutionKey(row.project, row.domain, row.name),
        launch_plan=EntityId(ResourceKind.LAUNCH_PLAN, row.project, row.domain, row.launch_plan, row.version),
        workflow=row.workflow,
        inputs=literals_pb2.LiteralMap.FromString(row.inputs),
        phase=row.phase,
        source=row.source,
        launched_by=row.launched_by,
        relaunch_of=row.relaunch_of,
        created_at=row.created_at,
        outputs=literals_pb2.LiteralMap.FromString(row.outputs) if row.outputs is not None else None,
        error=row.error,
        started_at=row.started_at,
        finished_at=row.finished_at,
        options=ExecutionOptions(
            overwrite_cache=row.overwrite_cache,
            envs=row.envs or {},
            labels=row.labels or {},
            annotations=row.annotations or {},
            max_parallelism=row.max_parallelism,
        ),
        recovered_from=row.recovered_from,
        parent=ParentNode(row.parent_execution, row.parent_node) if row.parent_execution and row.parent_node else None,
        triggered_by=row.triggered_by,
    )
