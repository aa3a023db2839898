"""Registering and reading tasks, workflows and launch plans.

Versions are immutable: an identical re-registration raises AlreadyExists (clients treat
that as success), a different spec under a taken version raises Conflict. Everything a
Get answers with is compiled here, once, at registration.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, identifier_pb2
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from latchlike.db import insert_if_absent, utcnow
from latchlike.errors import AlreadyExists, Conflict, InvalidArgument, NotFound
from latchlike.specs import compiler, form_check, graph_check
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.specs.listing import ListQuery, apply, next_token
from latchlike.specs.projects import require_project_domain
from latchlike.specs.tables import EntityRow
from latchlike.store import FileStore

ACTIVE = launch_plan_pb2.LaunchPlanState.ACTIVE
INACTIVE = launch_plan_pb2.LaunchPlanState.INACTIVE
BUILT_IN = "latchlike"
"""`registered_by` of what the server registers itself: its built-in workflows, and the
one-task workflows it generates to launch a task alone."""
GENERATED_PREFIX = ".flytegen."
"""Names of the workflows and launch plans the platform makes to run one task on its own."""
_COLUMNS = {
    "name": EntityRow.name,
    "version": EntityRow.version,
    "created_at": EntityRow.created_at,
    "updated_at": EntityRow.updated_at,
    "short_description": EntityRow.short_description,
    "digest": EntityRow.digest,
    "state": EntityRow.state,
    "project": EntityRow.project,
    "domain": EntityRow.domain,
}


@dataclass(frozen=True)
class StoredEntity:
    id: EntityId
    spec: bytes
    compiled: bytes
    short_description: str
    state: int | None
    created_at: datetime
    updated_at: datetime
    form_hints: str | None = None
    digest: str = ""
    registered_by: str = ""


@dataclass(frozen=True)
class Page:
    items: list[StoredEntity]
    token: str


@dataclass(frozen=True)
class NamedEntity:
    key: NamedEntityKey
    short_description: str
    latest_version: str
    latest_created_at: datetime
    latest_spec: bytes = b""
    """The newest version's serialized spec: what lists read titles and tags from."""


def register_task(
    session: Session, *, task_id: EntityId, spec: task_pb2.TaskSpec, registered_by: str = BUILT_IN
) -> None:
    spec = _with_template_id(spec, task_id)
    compiled = task_pb2.TaskClosure(compiled_task=compiler_pb2.CompiledTask(template=spec.template))
    _register(session, task_id, spec, lambda: compiled, spec.description.short_description, registered_by)


def register_workflow(
    session: Session,
    *,
    workflow_id: EntityId,
    spec: workflow_pb2.WorkflowSpec,
    store: FileStore | None = None,
    sources: Mapping[str, str] | None = None,
    registered_by: str = BUILT_IN,
) -> None:
    """`sources` (module → Python source) or, failing that, the code bundle in `store` give
    the signature order the form needs; the workflow is refused if it cannot be a form."""
    spec = _with_template_id(spec, workflow_id)

    def compile_() -> workflow_pb2.WorkflowClosure:
        compiler.check_sub_workflows(spec)
        tasks = {
            ref: task_pb2.TaskClosure.FromString(_get_reference(session, ref, f"{workflow_id} references").compiled)
            for ref in sorted(compiler.referenced_tasks(spec))
        }
        for ref in sorted(compiler.referenced_launch_plans(spec)):
            _get_reference(session, ref, f"{workflow_id} references")
        graph_check.check_graph(spec, tasks)
        return workflow_pb2.WorkflowClosure(compiled_workflow=compiler.compile_workflow(spec, tasks))

    def form_hints(closure: workflow_pb2.WorkflowClosure) -> str | None:
        return form_check.checked_hints(workflow_id, closure, spec, store=store, sources=sources)

    _register(
        session, workflow_id, spec, compile_, spec.description.short_description, registered_by, hints_of=form_hints
    )


def register_launch_plan(
    session: Session,
    *,
    launch_plan_id: EntityId,
    spec: launch_plan_pb2.LaunchPlanSpec,
    registered_by: str = BUILT_IN,
) -> None:
    def compile_() -> launch_plan_pb2.LaunchPlanClosure:
        workflow_id = compiler.entity_id(spec.workflow_id, ResourceKind.WORKFLOW)
        row = _get_reference(session, workflow_id, f"{launch_plan_id} is for")
        closure = workflow_pb2.WorkflowClosure.FromString(row.compiled)
        interface = closure.compiled_workflow.primary.template.interface
        return launch_plan_pb2.LaunchPlanClosure(
            expected_inputs=compiler.expected_inputs(spec, interface),
            expected_outputs=interface.outputs,
        )

    _register(session, launch_plan_id, spec, compile_, "", registered_by, state=INACTIVE)


def get_entity(session: Session, entity_id: EntityId) -> StoredEntity:
    entity_id.validate()
    return _stored(_get_row(session, entity_id))


def list_entities(
    session: Session,
    *,
    kind: ResourceKind,
    project: str,
    domain: str,
    name: str,
    query: ListQuery,
) -> Page:
    if not project or not domain:
        raise InvalidArgument(f"listing {kind.label}s needs a project and a domain")
    statement = select(EntityRow).where(
        EntityRow.kind == kind, EntityRow.project == project, EntityRow.domain == domain
    )
    if name:
        statement = statement.where(EntityRow.name == name)
    rows = list(session.scalars(apply(statement, query, _COLUMNS)))
    return Page([_stored(row) for row in rows], next_token(query, len(rows)))


def list_named_entities(
    session: Session,
    *,
    kind: ResourceKind,
    project: str | None,
    domain: str | None,
    query: ListQuery,
    generated: bool = True,
    projects: frozenset[str] | None = None,
) -> tuple[list[NamedEntity], str]:
    """One row per name with its newest version; project/domain None means all of them.
    `generated=False` leaves out what the platform made itself (`.flytegen.<task>`);
    `projects` keeps only those projects' (what a principal may see; None: all)."""
    latest = select(
        EntityRow.project,
        EntityRow.domain,
        EntityRow.name,
        func.max(EntityRow.id).label("newest"),
    ).where(EntityRow.kind == kind)
    if not generated:
        latest = latest.where(~EntityRow.name.startswith(GENERATED_PREFIX, autoescape=True))
    if project:
        latest = latest.where(EntityRow.project == project)
    if projects is not None:
        latest = latest.where(EntityRow.project.in_(projects))
    if domain:
        latest = latest.where(EntityRow.domain == domain)
    newest = latest.group_by(EntityRow.project, EntityRow.domain, EntityRow.name).subquery()
    statement = select(EntityRow).join(newest, EntityRow.id == newest.c.newest)
    rows = list(session.scalars(apply(statement, query, _COLUMNS)))
    named = [
        NamedEntity(
            NamedEntityKey(kind, row.project, row.domain, row.name),
            row.short_description,
            row.version,
            row.created_at,
            row.spec,
        )
        for row in rows
    ]
    return named, next_token(query, len(rows))


def set_launch_plan_state(session: Session, *, launch_plan_id: EntityId, state: int) -> None:
    """Activating one version deactivates the others, as in FlyteAdmin."""
    if state not in (ACTIVE, INACTIVE):
        raise InvalidArgument(f"launch plan state must be ACTIVE or INACTIVE, got {state}")
    row = _get_row(session, launch_plan_id)
    if state == ACTIVE:
        session.execute(
            update(EntityRow)
            .where(
                EntityRow.kind == ResourceKind.LAUNCH_PLAN,
                EntityRow.project == row.project,
                EntityRow.domain == row.domain,
                EntityRow.name == row.name,
                EntityRow.state == ACTIVE,
            )
            .values(state=INACTIVE, updated_at=utcnow())
        )
    row.state = state
    row.updated_at = utcnow()


def get_active_launch_plan(session: Session, key: NamedEntityKey) -> StoredEntity:
    row = session.scalar(
        select(EntityRow).where(
            EntityRow.kind == ResourceKind.LAUNCH_PLAN,
            EntityRow.project == key.project,
            EntityRow.domain == key.domain,
            EntityRow.name == key.name,
            EntityRow.state == ACTIVE,
        )
    )
    if row is None:
        raise NotFound(f"{key} has no active version")
    return _stored(row)


def _register(
    session: Session,
    entity_id: EntityId,
    spec: Any,
    compile_: Any,
    short_description: str,
    registered_by: str,
    state: int | None = None,
    hints_of: Callable[[Any], str | None] | None = None,
) -> None:
    entity_id.validate()
    require_project_domain(session, entity_id.project, entity_id.domain)
    spec_bytes = spec.SerializeToString(deterministic=True)
    digest = _structure_digest(spec)
    _refuse_taken(session, entity_id, digest)
    compiled = compile_()
    now = utcnow()
    inserted = insert_if_absent(
        session,
        EntityRow,
        {
            "kind": entity_id.kind,
            "project": entity_id.project,
            "domain": entity_id.domain,
            "name": entity_id.name,
            "version": entity_id.version,
            "digest": digest,
            "spec": spec_bytes,
            "compiled": compiled.SerializeToString(deterministic=True),
            "form_hints": hints_of(compiled) if hints_of else None,
            "short_description": short_description,
            "registered_by": registered_by,
            "state": state,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not inserted:  # another client registered this version between our check and insert
        _refuse_taken(session, entity_id, digest)


def _structure_digest(spec: Any) -> str:
    """What makes two registrations of one version "the same", as in FlyteAdmin: the
    structure, not the description, and not the order of a node's upstream ids.
    `pyflyte run --remote` re-registers a script with documentation (source links) that
    differs from run to run, and flytekit lists upstream ids in set order, which changes
    with each process's hash seed."""
    structure = type(spec)()
    structure.CopyFrom(spec)
    if "description" in type(spec).DESCRIPTOR.fields_by_name:
        structure.ClearField("description")
    if isinstance(structure, workflow_pb2.WorkflowSpec):
        for node in compiler.all_nodes(structure):
            upstream = sorted(node.upstream_node_ids)
            del node.upstream_node_ids[:]
            node.upstream_node_ids.extend(upstream)
    return hashlib.sha256(structure.SerializeToString(deterministic=True)).hexdigest()


def _refuse_taken(session: Session, entity_id: EntityId, digest: str) -> None:
    existing = session.scalar(select(EntityRow.digest).where(*_match(entity_id)))
    if existing is None:
        return
    if existing == digest:
        raise AlreadyExists(f"{entity_id} is already registered with this exact spec")
    raise Conflict(
        f"{entity_id} is already registered with a different spec; versions are immutable, "
        "so register the change under a new version"
    )


def _get_row(session: Session, entity_id: EntityId) -> EntityRow:
    row = session.scalar(select(EntityRow).where(*_match(entity_id)))
    if row is None:
        raise NotFound(f"{entity_id} is not registered")
    return row


def _get_reference(session: Session, entity_id: EntityId, referrer: str) -> EntityRow:
    """A referenced entity must exist: its absence is the caller's mistake, not a 404."""
    row = session.scalar(select(EntityRow).where(*_match(entity_id)))
    if row is None:
        raise InvalidArgument(f"{referrer} {entity_id}, which is not registered; register it first")
    return row


def _match(entity_id: EntityId) -> tuple[Any, ...]:
    return (
        EntityRow.kind == entity_id.kind,
        EntityRow.project == entity_id.project,
        EntityRow.domain == entity_id.domain,
        EntityRow.name == entity_id.name,
        EntityRow.version == entity_id.version,
    )


def _with_template_id(spec: Any, entity_id: EntityId) -> Any:
    """FlyteAdmin stores the template under the identifier of the request; so do we."""
    normalized = type(spec)()
    normalized.CopyFrom(spec)
    normalized.template.id.CopyFrom(
        identifier_pb2.Identifier(
            resource_type=int(entity_id.kind),
            project=entity_id.project,
            domain=entity_id.domain,
            name=entity_id.name,
            version=entity_id.version,
        )
    )
    return normalized


def _stored(row: EntityRow) -> StoredEntity:
    return StoredEntity(
        EntityId(ResourceKind(row.kind), row.project, row.domain, row.name, row.version),
        row.spec,
        row.compiled,
        row.short_description,
        row.state,
        row.created_at,
        row.updated_at,
        row.form_hints,
        row.digest,
        row.registered_by,
    )


def launch_plans_of(session: Session, workflow_id: EntityId) -> list[StoredEntity]:
    """Every launch plan registered at a workflow's version that runs it, by name."""
    rows = session.scalars(
        select(EntityRow)
        .where(
            EntityRow.kind == ResourceKind.LAUNCH_PLAN,
            EntityRow.project == workflow_id.project,
            EntityRow.domain == workflow_id.domain,
            EntityRow.version == workflow_id.version,
        )
        .order_by(EntityRow.name)
    )
    found = [_stored(row) for row in rows]
    return [
        stored
        for stored in found
        if launch_plan_pb2.LaunchPlanSpec.FromString(stored.spec).workflow_id.name == workflow_id.name
    ]
