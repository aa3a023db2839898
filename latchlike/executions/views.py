"""What pages and the JSON API show of executions: plain models with the inputs already
turned into short readable previews."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flyteidl.admin import workflow_pb2
from flyteidl.core.literals_pb2 import LiteralMap
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.executions.graph import Graph, workflow_graph
from latchlike.executions.service import Execution, ExecutionKey, NodeAttempt, get_execution, list_executions
from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.service import get_entity
from latchlike.specs.sources import bundle_uri
from ui_gen.adapters.previews import literal_preview

ITEM = "item"
SHOWN_FAILED_ITEMS = 20


class ExecutionSummary(BaseModel):
    project: str
    domain: str
    name: str
    workflow: str
    version: str
    phase: str
    source: str
    created_at: datetime


class InputValue(BaseModel):
    name: str
    preview: str


class NodeView(BaseModel):
    node_id: str
    task: str
    kind: str
    depth: int
    """How deep inside sub-workflows and branches the node runs (0: the workflow's own)."""
    attempt: int
    phase: str
    error: str | None
    started_at: datetime
    duration_seconds: float | None
    cache_hit: bool
    items: dict[str, int] | None = None
    """For a map task: how many items are in each phase (its items are read a page at a time
    from `executions.items`)."""


class FileView(BaseModel):
    """A file the execution was given or wrote (`node_id`: the node that wrote it)."""

    id: int
    direction: str
    name: str
    uri: str
    in_store: bool
    sha256: str | None
    size: int | None
    node_id: str | None
    folder: bool = False
    """A directory: its files can be listed and downloaded one by one."""


class TaskProvenance(BaseModel):
    """What ran for a task: which registered version, in which image, from which code bundle."""

    task: str
    version: str
    image: str
    code_bundle: str | None


class ExecutionDetail(ExecutionSummary):
    launched_by: str
    relaunch_of: str | None
    inputs: list[InputValue]
    outputs: list[InputValue]
    error: str | None
    duration_seconds: float | None
    nodes: list[NodeView]
    failed_items: list[NodeView]
    """A map task's failed items, the first few, with their errors."""
    graph: Graph
    tasks: list[TaskProvenance]
    files: list[FileView]


def list_summaries(session: Session) -> list[ExecutionSummary]:
    return [_summary(execution) for execution in list_executions(session)]


def execution_detail(session: Session, key: ExecutionKey) -> ExecutionDetail:
    execution = get_execution(session, key)
    workflow = get_entity(
        session,
        EntityId(ResourceKind.WORKFLOW, key.project, key.domain, execution.workflow, execution.launch_plan.version),
    )
    compiled = workflow_pb2.WorkflowClosure.FromString(workflow.compiled).compiled_workflow
    latest = {node.node_id: node for node in execution.nodes}  # attempts come in order: the last wins
    phases = {node.node_id: node.phase for node in latest.values() if node.parent_id is None}
    items: dict[str, Counter[str]] = {}
    for node in latest.values():
        if node.kind == ITEM and node.parent_id is not None:
            items.setdefault(node.parent_id, Counter())[node.phase] += 1
    failed_items = [node for node in latest.values() if node.kind == ITEM and node.phase == "FAILED"]
    return ExecutionDetail(
        **_summary(execution).model_dump(),
        launched_by=execution.launched_by,
        relaunch_of=execution.relaunch_of,
        inputs=_previews(execution.inputs),
        outputs=_previews(execution.outputs) if execution.outputs is not None else [],
        error=execution.error,
        duration_seconds=_seconds(execution.started_at, execution.finished_at),
        nodes=[_node_view(node, items.get(node.node_id)) for node in execution.nodes if node.kind != ITEM],
        failed_items=[_node_view(node) for node in failed_items[:SHOWN_FAILED_ITEMS]],
        graph=workflow_graph(compiled.primary.template, phases, items),
        files=[
            FileView(
                id=f.id,
                direction=f.direction,
                name=f.name,
                uri=f.uri,
                in_store=f.key is not None,
                sha256=f.sha256,
                size=f.size,
                node_id=f.node_id,
                folder=f.folder,
            )
            for f in execution_files(session, key)
        ],
        tasks=[
            TaskProvenance(
                task=task.template.id.name,
                version=task.template.id.version,
                image=task.template.container.image,
                code_bundle=bundle_uri([task.template]),
            )
            for task in compiled.tasks
        ],
    )


def _node_view(node: NodeAttempt, items: Counter[str] | None = None) -> NodeView:
    return NodeView(
        node_id=node.node_id,
        task=node.task,
        kind=node.kind,
        depth=node.node_id.count("-0-"),
        attempt=node.attempt,
        phase=node.phase,
        error=node.error,
        started_at=node.started_at,
        duration_seconds=_seconds(node.started_at, node.finished_at),
        cache_hit=node.cache_hit,
        items=dict(items) if items is not None else None,
    )


def _previews(literals: LiteralMap) -> list[InputValue]:
    return [
        InputValue(name=name, preview=literal_preview(literals.literals[name])) for name in sorted(literals.literals)
    ]


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start and end else None


def _summary(execution: Execution) -> ExecutionSummary:
    return ExecutionSummary(
        project=execution.key.project,
        domain=execution.key.domain,
        name=execution.key.name,
        workflow=execution.workflow,
        version=execution.launch_plan.version,
        phase=execution.phase,
        source=execution.source,
        created_at=execution.created_at,
    )


def execution_files(session: Session, key: ExecutionKey) -> list[ExecutionFileRow]:
    """Inputs first, then outputs in the order nodes wrote them."""
    named = (ExecutionRow.project == key.project, ExecutionRow.domain == key.domain, ExecutionRow.name == key.name)
    return list(
        session.scalars(
            select(ExecutionFileRow)
            .join(ExecutionRow, ExecutionRow.id == ExecutionFileRow.execution_id)
            .where(*named)
            .order_by(ExecutionFileRow.direction.desc(), ExecutionFileRow.id)
        )
    )
