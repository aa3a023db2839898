"""What FlyteAdmin's node and task execution APIs read: per node its attempts, the task
each ran, and each attempt's inputs and outputs from the store. Nodes nest: a sub-workflow
or branch node is a parent whose children are listed by its path."""

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
    task: EntityId | None
    """The task its attempts ran (for a map task, the mapped task); None for a parent node."""
    attempts: tuple[NodeAttempt, ...]

    @property
    def latest(self) -> NodeAttempt:
        return self.attempts[-1]

    @property
    def spec_node_id(self) -> str:
        """The node's id in its own template: the last part of its path."""
        return self.node_id.rsplit("-0-", 1)[-1]


TOP_LEVEL = None


def node_runs(session: Session, key: ExecutionKey, parent: str | None = TOP_LEVEL) -> list[NodeRun]:
    """The nodes of one template run: the workflow's own (`TOP_LEVEL`) or those inside `parent`."""
    return [run for run in _all_runs(session, key) if run.latest.parent_id == parent]


def _all_runs(session: Session, key: ExecutionKey) -> list[NodeRun]:
    execution = get_execution(session, key)
    workflow = get_entity(
        session,
        EntityId(ResourceKind.WORKFLOW, key.project, key.domain, execution.workflow, execution.launch_plan.version),
    )
    compiled = workflow_pb2.WorkflowClosure.FromString(workflow.compiled).compiled_workflow
    # Names are unique among one workflow version's tasks (flytekit names a task by module and function).
    tasks = {task.template.id.name: entity_id(task.template.id, ResourceKind.TASK) for task in compiled.tasks}
    by_node: dict[str, list[NodeAttempt]] = {}
    for attempt in execution.nodes:
        by_node.setdefault(attempt.node_id, []).append(attempt)
    return [
        NodeRun(execution, node_id, tasks.get(attempts[0].task), tuple(sorted(attempts, key=lambda a: a.attempt)))
        for node_id, attempts in by_node.items()
    ]


def node_run(session: Session, key: ExecutionKey, node_id: str) -> NodeRun:
    found = next((run for run in _all_runs(session, key) if run.node_id == node_id), None)
    if found is None:
        raise NotFound(f"execution {key} has no node {node_id!r} (yet)")
    return found


def node_run_with_items(session: Session, key: ExecutionKey, node_id: str) -> tuple[NodeRun, list[NodeRun]]:
    """The node and, for an array node (a map task), its items in index order."""
    runs = _all_runs(session, key)
    found = next((run for run in runs if run.node_id == node_id), None)
    if found is None:
        raise NotFound(f"execution {key} has no node {node_id!r} (yet)")
    if found.latest.kind != "array":
        return found, []
    items = [run for run in runs if run.latest.parent_id == node_id]
    return found, sorted(items, key=lambda item: int(item.node_id.rsplit("-", 1)[1]))


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
