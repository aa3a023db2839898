"""What pages and the JSON API show of executions: plain models with the inputs already
turned into short readable previews."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flyteidl.admin import workflow_pb2
from flyteidl.core import interface_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from flyteidl.core.literals_pb2 import LiteralMap
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.executions.graph import Graph, workflow_graph
from latchlike.executions.service import Execution, ExecutionKey, NodeAttempt, get_execution, list_executions
from latchlike.executions.signals import list_signals
from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.files.view_links import view_urls
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.service import StoredEntity, get_entity
from latchlike.specs.sources import bundle_uri
from latchlike.specs.titles import title_and_tags, workflow_titles
from ui_gen.adapters.flyteidl import type_spec
from ui_gen.adapters.previews import literal_preview

ITEM = "item"
_INPUT_TYPES = {"int": ("number", "1"), "float": ("number", "any"), "str": ("text", "")}
"""Signal kinds the page takes typed (HTML input type, step); others come through FlyteRemote."""
SHOWN_FAILED_ITEMS = 20


class ExecutionSummary(BaseModel):
    project: str
    domain: str
    name: str
    workflow: str
    workflow_title: str
    version: str
    phase: str
    source: str
    created_at: datetime


class InputValue(BaseModel):
    name: str
    preview: str
    type: str = ""
    """The declared type as people read it; set for outputs, whose names (`o0`) say little."""


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
    child_execution: str | None = None
    """For a launch-plan node: the execution it started."""


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
    view_url: str | None = None
    """Its viewer page (`files.view_links`): a managed input, or an output file."""


class TaskProvenance(BaseModel):
    """What ran for a task: which registered version, in which image, from which code bundle."""

    task: str
    version: str
    image: str
    code_bundle: str | None


class WaitingSignal(BaseModel):
    """A gate waiting for someone: an approval (approve or reject) or a typed value."""

    signal_id: str
    approval: bool
    type_label: str
    input_type: str | None
    """The HTML input type for a typed value; None when the page cannot take it."""
    step: str = ""


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
    waiting: list[WaitingSignal] = []
    overwrite_cache: bool = False
    envs: dict[str, str] = {}
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    max_parallelism: int = 0
    recovered_from: str | None = None
    parent_execution: str | None = None
    parent_node: str | None = None
    triggered_by: str | None = None
    """`<project>/<path>` of the managed file whose upload launched this execution (QC)."""


def list_summaries(session: Session, *, projects: frozenset[str] | None = None) -> list[ExecutionSummary]:
    """The newest executions (of `projects`, if given) with their workflows' titles: two
    queries, however many rows."""
    executions = list_executions(session, projects=projects)
    titles = workflow_titles(session, {_workflow_id(execution) for execution in executions})
    return [_summary(execution, titles[_workflow_id(execution)]) for execution in executions]


def execution_detail(session: Session, key: ExecutionKey) -> ExecutionDetail:
    execution = get_execution(session, key)
    workflow = get_entity(
        session,
        _workflow_id(execution),
    )
    compiled = workflow_pb2.WorkflowClosure.FromString(workflow.compiled).compiled_workflow
    latest = {node.node_id: node for node in execution.nodes}  # attempts come in order: the last wins
    phases = {node.node_id: node.phase for node in latest.values() if node.parent_id is None}
    items: dict[str, Counter[str]] = {}
    for node in latest.values():
        if node.kind == ITEM and node.parent_id is not None:
            items.setdefault(node.parent_id, Counter())[node.phase] += 1
    failed_items = [node for node in latest.values() if node.kind == ITEM and node.phase == "FAILED"]
    files = execution_files(session, key)
    views = view_urls(session, session.get_one(ExecutionRow, files[0].execution_id), files) if files else {}
    return ExecutionDetail(
        **_summary(execution, title_and_tags(execution.workflow, workflow.spec)[0]).model_dump(),
        launched_by=execution.launched_by,
        relaunch_of=execution.relaunch_of,
        inputs=_previews(execution.inputs),
        outputs=_outputs(execution.outputs, compiled.primary.template.interface)
        if execution.outputs is not None
        else [],
        error=execution.error,
        duration_seconds=_seconds(execution.started_at, execution.finished_at),
        nodes=[_node_view(node, items.get(node.node_id)) for node in execution.nodes if node.kind != ITEM],
        failed_items=[_node_view(node) for node in failed_items[:SHOWN_FAILED_ITEMS]],
        graph=workflow_graph(compiled.primary.template, phases, items),
        waiting=_waiting(session, key, compiled) if execution.phase == "RUNNING" else [],
        overwrite_cache=execution.options.overwrite_cache,
        envs=dict(execution.options.envs),
        labels=dict(execution.options.labels),
        annotations=dict(execution.options.annotations),
        max_parallelism=execution.options.max_parallelism,
        recovered_from=execution.recovered_from,
        parent_execution=execution.parent.execution if execution.parent else None,
        parent_node=execution.parent.node_id if execution.parent else None,
        triggered_by=execution.triggered_by,
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
                view_url=views.get(f.id),
            )
            for f in files
        ],
        tasks=_tasks(compiled),
    )


@dataclass(frozen=True)
class WorkflowParts:
    """What a workflow version's executions show the same until their nodes start."""

    title: str
    graph: Graph
    tasks: list[TaskProvenance]


def workflow_parts(workflow: StoredEntity) -> WorkflowParts:
    compiled = workflow_pb2.WorkflowClosure.FromString(workflow.compiled).compiled_workflow
    title = title_and_tags(workflow.id.name, workflow.spec)[0]
    return WorkflowParts(title, workflow_graph(compiled.primary.template, {}, {}), _tasks(compiled))


def queued_detail(execution: Execution, parts: WorkflowParts) -> ExecutionDetail:
    """The detail of an execution just recorded (QUEUED, nothing run, no files recorded yet),
    without reading it back: what a launch answers. Built unvalidated (`model_construct`):
    every value comes typed from the row just made, and a burst answers a thousand of these."""
    key = execution.key
    return ExecutionDetail.model_construct(
        project=key.project,
        domain=key.domain,
        name=key.name,
        workflow=execution.workflow,
        workflow_title=parts.title,
        version=execution.launch_plan.version,
        phase=execution.phase,
        source=execution.source,
        created_at=execution.created_at,
        launched_by=execution.launched_by,
        relaunch_of=execution.relaunch_of,
        inputs=_previews(execution.inputs),
        outputs=[],
        error=None,
        duration_seconds=None,
        nodes=[],
        failed_items=[],
        graph=parts.graph,
        tasks=parts.tasks,
        files=[],
        overwrite_cache=execution.options.overwrite_cache,
        envs=dict(execution.options.envs),
        labels=dict(execution.options.labels),
        annotations=dict(execution.options.annotations),
        max_parallelism=execution.options.max_parallelism,
        recovered_from=execution.recovered_from,
        parent_execution=execution.parent.execution if execution.parent else None,
        parent_node=execution.parent.node_id if execution.parent else None,
    )


def _tasks(compiled: workflow_pb2.CompiledWorkflowClosure) -> list[TaskProvenance]:
    return [
        TaskProvenance(
            task=task.template.id.name,
            version=task.template.id.version,
            image=task.template.container.image,
            code_bundle=bundle_uri([task.template]),
        )
        for task in compiled.tasks
    ]


def _waiting(
    session: Session, key: ExecutionKey, compiled: workflow_pb2.CompiledWorkflowClosure
) -> list[WaitingSignal]:
    templates = [compiled.primary.template, *(sub.template for sub in compiled.sub_workflows)]
    approvals = {node.gate_node.approve.signal_id for t in templates for node in _all_nodes(t.nodes)
                 if node.gate_node.HasField("approve")}  # fmt: skip
    waiting = []
    for signal in list_signals(session, key):
        if signal.value is not None:
            continue
        kind = type_spec(signal.type)
        input_type, step = _INPUT_TYPES.get(kind.kind, (None, ""))
        approval = signal.signal_id in approvals
        waiting.append(WaitingSignal(signal_id=signal.signal_id, approval=approval, type_label=kind.label,
                                     input_type=input_type, step=step))  # fmt: skip
    return waiting


def _all_nodes(nodes: Iterable[core_workflow_pb2.Node]) -> Iterator[core_workflow_pb2.Node]:
    """Nodes with the cases of their branches."""
    for node in nodes:
        yield node
        if node.HasField("branch_node"):
            if_else = node.branch_node.if_else
            cases = [if_else.case.then_node, *(case.then_node for case in if_else.other)]
            yield from _all_nodes([*cases, *([if_else.else_node] if if_else.HasField("else_node") else [])])


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
        child_execution=node.child_execution,
    )


def _previews(literals: LiteralMap) -> list[InputValue]:
    return [
        InputValue(name=name, preview=literal_preview(literals.literals[name])) for name in sorted(literals.literals)
    ]


def _outputs(literals: LiteralMap, interface: interface_pb2.TypedInterface) -> list[InputValue]:
    """With their types, by name: flytekit keeps a NamedTuple's names, else `o0`, `o1`."""
    declared = interface.outputs.variables
    return [
        InputValue(
            name=name,
            preview=literal_preview(literals.literals[name]),
            type=type_spec(declared[name].type).label if name in declared else "",
        )
        for name in sorted(literals.literals)
    ]


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start and end else None


def _workflow_id(execution: Execution) -> EntityId:
    key = execution.key
    return EntityId(ResourceKind.WORKFLOW, key.project, key.domain, execution.workflow, execution.launch_plan.version)


def _summary(execution: Execution, workflow_title: str) -> ExecutionSummary:
    return ExecutionSummary(
        project=execution.key.project,
        domain=execution.key.domain,
        name=execution.key.name,
        workflow=execution.workflow,
        workflow_title=workflow_title,
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
