"""Projects and domains: the namespace every registered entity lives in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.tables import DEFAULT_WORKSPACE
from latchlike.db import insert_if_absent, utcnow
from latchlike.errors import AlreadyExists, InvalidArgument, NotFound
from latchlike.specs.tables import ProjectRow

# As in FlyteAdmin's default configuration; flytekit's tools assume these names.
DOMAINS = ("development", "staging", "production")


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    description: str
    created_at: datetime


def ensure_project(
    session: Session, *, project_id: str, name: str = "", description: str = "", workspace: str = DEFAULT_WORKSPACE
) -> bool:
    """Create the project in `workspace` unless it exists; True if this call created it."""
    return insert_if_absent(
        session,
        ProjectRow,
        {
            "id": project_id,
            "name": name or project_id,
            "description": description,
            "created_at": utcnow(),
            "workspace_id": workspace,
        },
    )


def register_project(
    session: Session, *, project_id: str, name: str, description: str, workspace: str = DEFAULT_WORKSPACE
) -> None:
    if not project_id:
        raise InvalidArgument("a project needs an id")
    if not ensure_project(session, project_id=project_id, name=name, description=description, workspace=workspace):
        raise AlreadyExists(f"project {project_id!r} already exists")


def list_projects(session: Session, visible: frozenset[str] | None = None) -> list[Project]:
    """Every project, or only those in `visible` (`accounts.access.visible_projects`)."""
    query = select(ProjectRow).order_by(ProjectRow.id)
    if visible is not None:
        query = query.where(ProjectRow.id.in_(visible))
    rows = session.scalars(query)
    return [Project(row.id, row.name, row.description, row.created_at) for row in rows]


def get_project(session: Session, project_id: str) -> Project:
    row = session.get(ProjectRow, project_id)
    if row is None:
        raise NotFound(f"project {project_id!r} does not exist")
    return Project(row.id, row.name, row.description, row.created_at)


def require_project_domain(session: Session, project: str, domain: str) -> None:
    if session.get(ProjectRow, project) is None:
        raise InvalidArgument(
            f"project {project!r} does not exist; create it first (RegisterProject) or use an existing one"
        )
    if domain not in DOMAINS:
        raise InvalidArgument(f"domain {domain!r} does not exist; use one of {', '.join(DOMAINS)}")
