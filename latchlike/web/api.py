"""JSON API under /api/: what the pages show, for other clients."""

from __future__ import annotations

from fastapi import APIRouter

from latchlike.specs import projects, views
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.specs.listing import ListQuery
from latchlike.specs.service import list_named_entities
from latchlike.web.deps import SessionDep

router = APIRouter(prefix="/api", tags=["registry"])


@router.get("/health")
def health(session: SessionDep) -> dict[str, str]:
    """Ready means the database answers."""
    projects.list_projects(session)
    return {"status": "ok"}


@router.get("/projects")
def list_projects(session: SessionDep) -> list[dict[str, str]]:
    return [{"id": p.id, "name": p.name, "description": p.description} for p in projects.list_projects(session)]


@router.get("/workflows")
def list_workflows(
    session: SessionDep, project: str | None = None, domain: str | None = None, q: str = "", tag: str = ""
) -> list[views.WorkflowSummary]:
    return views.list_workflows(session, project=project, domain=domain, text=q, tag=tag)


@router.get("/workflows/{project}/{domain}/{name}")
def get_workflow(
    session: SessionDep, project: str, domain: str, name: str, version: str | None = None
) -> views.WorkflowDetail:
    return views.workflow_detail(session, NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name), version)


@router.get("/tasks/{project}/{domain}/{name}/{version}")
def get_task(session: SessionDep, project: str, domain: str, name: str, version: str) -> views.Task:
    return views.task_detail(session, EntityId(ResourceKind.TASK, project, domain, name, version))


@router.get("/tasks")
def list_tasks(session: SessionDep, project: str | None = None, domain: str | None = None) -> list[dict[str, str]]:
    return _named(session, ResourceKind.TASK, project, domain)


@router.get("/launch-plans")
def list_launch_plans(
    session: SessionDep, project: str | None = None, domain: str | None = None
) -> list[dict[str, str]]:
    return _named(session, ResourceKind.LAUNCH_PLAN, project, domain)


def _named(session: SessionDep, kind: ResourceKind, project: str | None, domain: str | None) -> list[dict[str, str]]:
    named, _ = list_named_entities(
        session,
        kind=kind,
        project=project,
        domain=domain,
        query=ListQuery(sort_key="name", descending=False, limit=1000),
    )
    return [
        {
            "project": item.key.project,
            "domain": item.key.domain,
            "name": item.key.name,
            "latest_version": item.latest_version,
            "registered_at": item.latest_created_at.isoformat(),
        }
        for item in named
    ]
