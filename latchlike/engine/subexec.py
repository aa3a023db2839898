"""Launch-plan nodes: the node starts a child execution of the launch plan it names, the
way CreateExecution would, linked both ways (the node row names the child; the child names
its parent node), and ends as the child ends, with its outputs."""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.core import literals_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.engine.phases import ABORTED, ABORTING, FAILED, RUNNING, SUCCEEDED
from latchlike.errors import UserError
from latchlike.executions.launching import launch_with_literals
from latchlike.executions.service import ParentNode, Source
from latchlike.executions.tables import ExecutionRow
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import ResourceKind
from latchlike.store import FileStore

_ENDED = frozenset({SUCCEEDED, FAILED, ABORTED})


@dataclass(frozen=True)
class ChildState:
    phase: str
    """RUNNING while the child runs; then SUCCEEDED or FAILED."""
    error: str | None = None
    outputs: literals_pb2.LiteralMap | None = None


def start_child(
    session: Session,
    store: FileStore,
    parent: ExecutionRow,
    node: core_workflow_pb2.Node,
    path: str,
    inputs: literals_pb2.LiteralMap,
) -> str | ChildState:
    """The child execution's name, or why it could not start (a FAILED state)."""
    launch_plan = entity_id(node.workflow_node.launchplan_ref, ResourceKind.LAUNCH_PLAN)
    if (launch_plan.project, launch_plan.domain) != (parent.project, parent.domain):
        return ChildState(FAILED, f"node {path} launches {launch_plan}, in another project or domain than its parent")
    try:
        key = launch_with_literals(session, launch_plan=launch_plan, inputs=inputs, store=store, source=Source.NODE,
                                   launched_by=parent.launched_by, parent=ParentNode(parent.name, path))  # fmt: skip
    except UserError as error:
        return ChildState(FAILED, f"node {path} could not launch {launch_plan}: {error.message}")
    return key.name


def child_state(session: Session, parent: ExecutionRow, child: str) -> ChildState:
    row = _child_row(session, parent, child)
    if row is None or row.phase not in _ENDED:
        return ChildState(RUNNING)
    if row.phase == SUCCEEDED:
        outputs = literals_pb2.LiteralMap.FromString(row.outputs) if row.outputs else literals_pb2.LiteralMap()
        return ChildState(SUCCEEDED, outputs=outputs)
    return ChildState(FAILED, f"child execution {child} {row.phase.lower()}: {row.error or 'no reason given'}")


def abort_child(session: Session, parent: ExecutionRow, child: str) -> None:
    """Aborting a parent aborts the children its launch-plan nodes started."""
    row = _child_row(session, parent, child)
    if row is not None and row.phase not in _ENDED:
        row.phase, row.error = ABORTING, f"its parent {parent.name} was aborted"


def _child_row(session: Session, parent: ExecutionRow, child: str) -> ExecutionRow | None:
    return session.scalar(
        select(ExecutionRow).where(
            ExecutionRow.project == parent.project, ExecutionRow.domain == parent.domain, ExecutionRow.name == child
        )
    )
