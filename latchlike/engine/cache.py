"""The task output cache, as Flyte's data catalog: a task with `cache=True` and the same
`cache_version`, interface and input literals reuses earlier outputs instead of running."""

from __future__ import annotations

import hashlib

from flyteidl.core import literals_pb2, tasks_pb2
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from latchlike.db import insert_if_absent, utcnow
from latchlike.executions.tables import TaskCacheRow


def cache_key(template: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap) -> str:
    digest = hashlib.sha256(template.interface.SerializeToString(deterministic=True))
    digest.update(inputs.SerializeToString(deterministic=True))
    return digest.hexdigest()


def lookup(session: Session, template: tasks_pb2.TaskTemplate, key: str) -> literals_pb2.LiteralMap | None:
    outputs = session.scalar(select(TaskCacheRow.outputs).where(*_match(template), TaskCacheRow.key == key))
    return literals_pb2.LiteralMap.FromString(outputs) if outputs is not None else None


def remember(
    session: Session, template: tasks_pb2.TaskTemplate, key: str, outputs: literals_pb2.LiteralMap, *,
    execution: str, node_id: str, replace: bool = False,
) -> None:  # fmt: skip
    """The first run's outputs stay: a concurrent identical run adds nothing. `replace`
    (an execution launched with `--overwrite-cache`) puts these outputs in their place."""
    if replace:
        session.execute(delete(TaskCacheRow).where(*_match(template), TaskCacheRow.key == key))
    insert_if_absent(
        session,
        TaskCacheRow,
        {
            "project": template.id.project,
            "domain": template.id.domain,
            "task": template.id.name,
            "cache_version": template.metadata.discovery_version,
            "key": key,
            "outputs": outputs.SerializeToString(deterministic=True),
            "execution": execution,
            "node_id": node_id,
            "created_at": utcnow(),
        },
    )


def _match(template: tasks_pb2.TaskTemplate) -> tuple[ColumnElement[bool], ...]:
    return (
        TaskCacheRow.project == template.id.project,
        TaskCacheRow.domain == template.id.domain,
        TaskCacheRow.task == template.id.name,
        TaskCacheRow.cache_version == template.metadata.discovery_version,
    )
