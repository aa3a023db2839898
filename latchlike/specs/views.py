"""What people and the JSON API see of registered entities: pydantic models read from
the stored protos. The web layer renders these; it never touches a protobuf."""

from __future__ import annotations

from datetime import datetime

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import tasks_pb2
from pydantic import BaseModel
from sqlalchemy.orm import Session

from latchlike.errors import NotFound
from latchlike.specs import compiler
from latchlike.specs.about import About, about
from latchlike.specs.form_check import load_hints
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.specs.listing import ListQuery
from latchlike.specs.service import (
    ACTIVE,
    StoredEntity,
    get_entity,
    launch_plans_of,
    list_entities,
    list_named_entities,
)
from latchlike.specs.titles import title_and_tags
from ui_gen.adapters.flyteidl import interface_spec
from ui_gen.names import workflow_title
from ui_gen.schema import ParameterSpec

_RESOURCE_NAMES = {
    tasks_pb2.Resources.CPU: "cpu",
    tasks_pb2.Resources.GPU: "gpu",
    tasks_pb2.Resources.MEMORY: "memory",
    tasks_pb2.Resources.STORAGE: "storage",
    tasks_pb2.Resources.EPHEMERAL_STORAGE: "ephemeral_storage",
}
MAX_VERSIONS = 1000


class Parameter(BaseModel):
    name: str
    type: str
    description: str
    required: bool
    default: str | None


class WorkflowSummary(BaseModel):
    project: str
    domain: str
    name: str
    title: str
    """What people read: the metadata's display name, else the function's name in words."""
    tags: list[str] = []
    latest_version: str
    short_description: str
    registered_at: datetime

    def matches(self, *, text: str = "", tag: str = "") -> bool:
        """`text` anywhere in the name, title or description (any case); `tag` exactly."""
        haystack = f"{self.name}\n{self.title}\n{self.short_description}".casefold()
        return text.casefold() in haystack and (not tag or tag in self.tags)


class Version(BaseModel):
    version: str
    registered_at: datetime
    registered_by: str


class Task(BaseModel):
    project: str
    domain: str
    name: str
    version: str
    short_description: str
    image: str
    command: list[str]
    requests: dict[str, str]
    limits: dict[str, str]
    retries: int
    cache: bool
    cache_version: str
    timeout_seconds: float | None
    interruptible: bool
    inputs: list[Parameter]
    outputs: list[Parameter]
    registered_at: datetime


class LaunchPlan(BaseModel):
    project: str
    domain: str
    name: str
    version: str
    active: bool
    registered_at: datetime


class WorkflowDetail(BaseModel):
    project: str
    domain: str
    name: str
    title: str
    version: str
    short_description: str
    long_description: str
    registered_at: datetime
    versions: list[Version]
    inputs: list[Parameter]
    outputs: list[Parameter]
    tasks: list[Task]
    launch_plan: LaunchPlan | None
    about: About
    other_launch_plans: list[LaunchPlan] = []
    """Launch plans of this version other than the default one (named after the workflow)."""


def list_workflows(
    session: Session,
    *,
    project: str | None = None,
    domain: str | None = None,
    text: str = "",
    tag: str = "",
    generated: bool = False,
    projects: frozenset[str] | None = None,
) -> list[WorkflowSummary]:
    """Every workflow's newest version, those matching `text` and `tag` (see `WorkflowSummary.matches`).
    As in FlyteAdmin's console, the `.flytegen.<task>` ones (`pyflyte run --remote` of a task)
    are left out unless `generated`; their executions still list and link."""
    named, _ = list_named_entities(
        session,
        kind=ResourceKind.WORKFLOW,
        project=project,
        domain=domain,
        query=ListQuery(sort_key="name", descending=False, limit=MAX_VERSIONS),
        generated=generated,
        projects=projects,
    )
    summaries = []
    for item in named:
        title, tags = title_and_tags(item.key.name, item.latest_spec)
        summaries.append(
            WorkflowSummary(
                project=item.key.project,
                domain=item.key.domain,
                name=item.key.name,
                title=title,
                tags=list(tags),
                latest_version=item.latest_version,
                short_description=item.short_description,
                registered_at=item.latest_created_at,
            )
        )
    return [summary for summary in summaries if summary.matches(text=text.strip(), tag=tag)]


class WorkflowCatalog(BaseModel):
    workflows: list[WorkflowSummary]
    """Those matching the search."""
    tags: list[str]
    """Every tag of every workflow, to filter by."""
    total: int


def workflow_catalog(
    session: Session, *, text: str = "", tag: str = "", projects: frozenset[str] | None = None
) -> WorkflowCatalog:
    everything = list_workflows(session, projects=projects)
    return WorkflowCatalog(
        workflows=[summary for summary in everything if summary.matches(text=text.strip(), tag=tag)],
        tags=sorted({t for summary in everything for t in summary.tags}),
        total=len(everything),
    )


def workflow_detail(session: Session, key: NamedEntityKey, version: str | None = None) -> WorkflowDetail:
    versions = list_entities(
        session,
        kind=key.kind,
        project=key.project,
        domain=key.domain,
        name=key.name,
        query=ListQuery(limit=MAX_VERSIONS),
    ).items
    if not versions:
        raise NotFound(f"{key} is not registered")
    chosen = (
        versions[0]
        if version is None
        else get_entity(session, EntityId(key.kind, key.project, key.domain, key.name, version))
    )
    closure = workflow_pb2.WorkflowClosure.FromString(chosen.compiled).compiled_workflow
    spec = workflow_pb2.WorkflowSpec.FromString(chosen.spec)
    launch_plan = _default_launch_plan(session, chosen.id)
    defaults = (
        launch_plan_pb2.LaunchPlanClosure.FromString(launch_plan.compiled).expected_inputs if launch_plan else None
    )
    interface = interface_spec(
        closure.primary.template.interface,
        defaults,
        long_description=spec.description.long_description.value,
        hints=load_hints(chosen.form_hints),
    )
    return WorkflowDetail(
        project=key.project,
        domain=key.domain,
        name=key.name,
        title=workflow_title(interface.metadata, key.name),
        version=chosen.id.version,
        short_description=chosen.short_description,
        long_description=interface.description,
        registered_at=chosen.created_at,
        versions=[
            Version(version=item.id.version, registered_at=item.created_at, registered_by=item.registered_by)
            for item in versions
        ],
        inputs=[_parameter(item) for item in interface.inputs],
        outputs=[_parameter(item) for item in interface.outputs],
        tasks=[_task(session, compiler.entity_id(task.template.id, ResourceKind.TASK)) for task in closure.tasks],
        launch_plan=_launch_plan(launch_plan) if launch_plan else None,
        about=about(interface),
        other_launch_plans=[_launch_plan(p) for p in launch_plans_of(session, chosen.id) if p.id.name != key.name],
    )


def task_detail(session: Session, task_id: EntityId) -> Task:
    return _task(session, task_id)


def _task(session: Session, task_id: EntityId) -> Task:
    stored = get_entity(session, task_id)
    template = task_pb2.TaskClosure.FromString(stored.compiled).compiled_task.template
    interface = interface_spec(template.interface)
    metadata = template.metadata
    container = template.container
    return Task(
        project=task_id.project,
        domain=task_id.domain,
        name=task_id.name,
        version=task_id.version,
        short_description=stored.short_description,
        image=container.image,
        command=[*container.command, *container.args],
        requests={_RESOURCE_NAMES.get(e.name, str(e.name)): e.value for e in container.resources.requests},
        limits={_RESOURCE_NAMES.get(e.name, str(e.name)): e.value for e in container.resources.limits},
        retries=metadata.retries.retries,
        cache=metadata.discoverable,
        cache_version=metadata.discovery_version,
        timeout_seconds=metadata.timeout.ToTimedelta().total_seconds() if metadata.HasField("timeout") else None,
        interruptible=metadata.interruptible,
        inputs=[_parameter(item) for item in interface.inputs],
        outputs=[_parameter(item) for item in interface.outputs],
        registered_at=stored.created_at,
    )


def _default_launch_plan(session: Session, workflow_id: EntityId) -> StoredEntity | None:
    """pyflyte registers a launch plan named after its workflow, at the same version."""
    try:
        return get_entity(
            session,
            EntityId(
                ResourceKind.LAUNCH_PLAN,
                workflow_id.project,
                workflow_id.domain,
                workflow_id.name,
                workflow_id.version,
            ),
        )
    except NotFound:
        return None


def _launch_plan(stored: StoredEntity) -> LaunchPlan:
    return LaunchPlan(
        project=stored.id.project,
        domain=stored.id.domain,
        name=stored.id.name,
        version=stored.id.version,
        active=stored.state == ACTIVE,
        registered_at=stored.created_at,
    )


def _parameter(spec: ParameterSpec) -> Parameter:
    return Parameter(
        name=spec.name,
        type=spec.type.label,
        description=spec.description,
        required=spec.required,
        default=spec.default_preview,
    )
