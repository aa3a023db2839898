"""What FlyteAdmin's node and task execution APIs read: per node its attempts, the task
each ran, and each attempt's inputs and outputs from the store."""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.admin import workflow_pb2
from flyteidl.core import literals_pb2
from sqlalchemy.orm import Session

from latchlike.errors import NotFound
from latchlike.executions.service import Execution, ExecutionKey, NodeAttempt, get_execution
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.service import get_entity
from latchlike.store import FileStore
from latchlike.store.keys import attempt_prefix


@dataclass(frozen=True)
class NodeRun:
    """One node of an execution: its attempts in order, and the task it runs."""

    execution: Execution
    node_id: str
    task: EntityId
    attempts: tuple[NodeAttempt, ...]

    @property
    def latest(self) -> NodeAttempt:
        return self.attempts[-1]


def node_runs(session: Session, key: ExecutionKey) -> list[NodeRun]:
    execution = get_execution(session, key)
    workflow = get_entity(
        session,
        EntityId(ResourceKind.WORKFLOW, key.project, key.domain, execution.workflow, execution.launch_plan.version),
    )
    template = workflow_pb2.WorkflowClosure.FromString(workflow.compiled).compiled_workflow.primary.template
    tasks = {n.id: entity_id(n.task_node.reference_id, ResourceKind.TASK) for n in template.nodes if n.task_node}
    by_node: dict[str, list[NodeAttempt]] = {}
    for attempt in execution.nodes:
        by_node.setdefault(attempt.node_id, []).append(attempt)
    return [
        NodeRun(execution, node_id, tasks[node_id], tuple(sorted(attempts, key=lambda a: a.attempt)))
        for node_id, attempts in by_node.items()
    ]


def node_run(session: Session, key: ExecutionKey, node_id: str) -> NodeRun:
    found = next((run for run in node_runs(session, key) if run.node_id == node_id), None)
    if found is None:
        raise NotFound(f"execution {key} has no node {node_id!r} (yet)")
    return found


def attempt_data(
    store: FileStore, key: ExecutionKey, node_id: str, attempt: int
) -> tuple[literals_pb2.LiteralMap, literals_pb2.LiteralMap | None]:
    """(inputs, outputs or None while running or after a failure)."""
    prefix = attempt_prefix(key.project, key.domain, key.name, node_id, attempt)
    return _read(store, prefix + "/inputs.pb") or literals_pb2.LiteralMap(), _read(store, prefix + "/outputs.pb")


def _read(store: FileStore, key: str) -> literals_pb2.LiteralMap | None:
    if not store.exists(key):
        return None
    with store.open(key) as raw:
        return literals_pb2.LiteralMap.FromString(raw.read())
