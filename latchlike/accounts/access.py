"""The one place that decides whether a principal may act on a project.

Every project belongs to one workspace; a principal's role in that workspace decides. A
project of a workspace the principal cannot see answers exactly as a project that does not
exist (NotFound), so nobody learns other workspaces' project names by probing; a role too
low for the action is PermissionDenied naming the role needed; no credentials at all is
Unauthenticated, so that clients (flytekit, the CLI) know to present one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.principal import Principal
from latchlike.accounts.roles import Role
from latchlike.accounts.tables import DEFAULT_WORKSPACE
from latchlike.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from latchlike.specs.tables import ProjectRow

__all__ = [
    "authorize_project",
    "authorize_workspace",
    "home_workspace",
    "require_authenticated",
    "visible_projects",
    "workspace_of",
]


def workspace_of(session: Session, project: str) -> str | None:
    """The workspace owning `project`, or None if there is no such project."""
    return session.scalar(select(ProjectRow.workspace_id).where(ProjectRow.id == project))


def require_authenticated(principal: Principal) -> None:
    if not principal.authenticated:
        raise Unauthenticated("sign in first, or present an API token (Authorization: Bearer <token>)")


def authorize_workspace(principal: Principal, workspace: str, needed: Role, *, what: str) -> None:
    """Raises unless `principal` holds at least `needed` in `workspace`; `what` names the
    thing for the message (\"project 'p'\")."""
    require_authenticated(principal)
    role = principal.role_in(workspace)
    if role is None:
        raise NotFound(f"{what} does not exist")
    if not role.allows(needed):
        raise PermissionDenied(f"{what}: this needs the {needed} role in workspace {workspace!r}; you are {role}")


def authorize_project(session: Session, principal: Principal, project: str, needed: Role) -> str | None:
    """Raises unless `principal` may act with `needed` on `project`; returns its workspace.

    A project that does not exist yet passes for a principal who may create it (a member of
    some workspace, or a site admin) and returns None: the action then creates it in the
    principal's workspace (`home_workspace`) or fails as it would have anyway."""
    require_authenticated(principal)
    workspace = workspace_of(session, project)
    if workspace is None:
        if principal.site_admin or any(role.allows(needed) for role in principal.roles.values()):
            return None
        raise NotFound(f"project {project!r} does not exist")
    authorize_workspace(principal, workspace, needed, what=f"project {project!r}")
    return workspace


def visible_projects(session: Session, principal: Principal) -> frozenset[str] | None:
    """The projects `principal` may read; None: all of them. List queries filter by this."""
    workspaces = principal.workspaces()
    if workspaces is None:
        return None
    if not workspaces:
        return frozenset()
    query = select(ProjectRow.id).where(ProjectRow.workspace_id.in_(workspaces))
    return frozenset(session.scalars(query))


def home_workspace(principal: Principal) -> str:
    """Where a project this principal creates goes: a token's own workspace, the one
    workspace a member belongs to, or `default` for a site admin (and the local mode)."""
    writable = sorted(ws for ws, role in principal.roles.items() if role.allows(Role.MEMBER))
    if principal.via == "token" and writable:
        return writable[0]
    if principal.site_admin:
        return DEFAULT_WORKSPACE
    if len(writable) == 1:
        return writable[0]
    if not writable:
        raise PermissionDenied("creating a project needs the member role in a workspace")
    raise InvalidArgument(
        f"you are a member of several workspaces ({', '.join(writable)}): create the project with an API token "
        "of the workspace it belongs to"
    )
