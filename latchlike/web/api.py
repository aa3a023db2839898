"""JSON API under /api/: what the pages show, for other clients."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from latchlike.accounts.access import visible_projects
from latchlike.accounts.principal import Principal
from latchlike.specs import projects, views
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.specs.listing import ListQuery
from latchlike.specs.service import list_named_entities
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import DatabaseDep
from latchlike.web.errors import error_responses

router = APIRouter(prefix="/api", tags=["registry"], responses=error_responses(400, 404))


@router.get("/health")
async def health(db: DatabaseDep) -> dict[str, str]:
    """Ready means the database answers."""
    await db.run(projects.list_projects)
    return {"status": "ok"}


@router.get("/projects")
async def list_projects(db: DatabaseDep, principal: PrincipalDep) -> list[dict[str, str]]:
    """The projects the caller may read."""
    found = await db.run(lambda s: projects.list_projects(s, visible_projects(s, principal)))
    return [{"id": p.id, "name": p.name, "description": p.description} for p in found]


@router.get("/workflows")
async def list_workflows(
    db: DatabaseDep,
    principal: PrincipalDep,
    project: str | None = None,
    domain: str | None = None,
    q: str = "",
    tag: str = "",
    generated: bool = False,
) -> list[views.WorkflowSummary]:
    """`generated=true` also lists the `.flytegen.<task>` workflows of single-task runs. Only
    the projects the caller may read."""
    return await db.run(
        lambda s: views.list_workflows(s, project=project, domain=domain, text=q, tag=tag, generated=generated,
                                       projects=visible_projects(s, principal))
    )  # fmt: skip


@router.get("/workflows/{project}/{domain}/{name}")
async def get_workflow(
    db: DatabaseDep, project: str, domain: str, name: str, version: str | None = None
) -> views.WorkflowDetail:
    key = NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name)
    return await db.run(lambda s: views.workflow_detail(s, key, version))


@router.get("/tasks/{project}/{domain}/{name}/{version}")
async def get_task(db: DatabaseDep, project: str, domain: str, name: str, version: str) -> views.Task:
    task_id = EntityId(ResourceKind.TASK, project, domain, name, version)
    return await db.run(lambda s: views.task_detail(s, task_id))


@router.get("/tasks")
async def list_tasks(
    db: DatabaseDep, principal: PrincipalDep, project: str | None = None, domain: str | None = None
) -> list[dict[str, str]]:
    return await db.run(lambda s: _named(s, principal, ResourceKind.TASK, project, domain))


@router.get("/launch-plans")
async def list_launch_plans(
    db: DatabaseDep, principal: PrincipalDep, project: str | None = None, domain: str | None = None
) -> list[dict[str, str]]:
    return await db.run(lambda s: _named(s, principal, ResourceKind.LAUNCH_PLAN, project, domain))


def _named(
    session: Session, principal: Principal, kind: ResourceKind, project: str | None, domain: str | None
) -> list[dict[str, str]]:
    named, _ = list_named_entities(
        session,
        kind=kind,
        project=project,
        domain=domain,
        query=ListQuery(sort_key="name", descending=False, limit=1000),
        projects=visible_projects(session, principal),
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
