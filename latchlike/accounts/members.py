"""Workspaces as their people see them: which ones a principal belongs to, who the members
are, and an admin changing a member's role or removing them.

A workspace never loses its last admin this way (somebody must be able to manage it); a site
admin, admin of every workspace, can still fix things from the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from latchlike.accounts.access import authorize_workspace, require_authenticated
from latchlike.accounts.principal import Principal
from latchlike.accounts.roles import Role
from latchlike.accounts.tables import MembershipRow, UserRow, WorkspaceRow
from latchlike.accounts.users import create_workspace, set_membership
from latchlike.errors import Conflict, NotFound, PermissionDenied

__all__ = ["Member", "WorkspaceInfo", "add_workspace", "change_member", "list_members", "list_workspaces"]


@dataclass(frozen=True)
class WorkspaceInfo:
    id: str
    name: str
    role: Role
    """The principal's own role there (admin for a site admin)."""


@dataclass(frozen=True)
class Member:
    user_id: int
    email: str
    role: Role
    since: datetime


def list_workspaces(session: Session, principal: Principal) -> list[WorkspaceInfo]:
    """The workspaces `principal` belongs to (every one, for a site admin)."""
    require_authenticated(principal)
    visible = principal.workspaces()
    query = select(WorkspaceRow).order_by(WorkspaceRow.id)
    if visible is not None:
        query = query.where(WorkspaceRow.id.in_(visible))
    return [WorkspaceInfo(row.id, row.name, principal.role_in(row.id) or Role.VIEWER) for row in session.scalars(query)]


def add_workspace(session: Session, principal: Principal, *, workspace_id: str, name: str = "") -> None:
    """A new, empty workspace; only a site admin creates them (and then invites its admin)."""
    require_authenticated(principal)
    if not principal.site_admin:
        raise PermissionDenied("creating a workspace needs a site administrator")
    create_workspace(session, workspace_id=workspace_id.strip(), name=name.strip())


def list_members(session: Session, principal: Principal, workspace: str) -> list[Member]:
    authorize_workspace(principal, workspace, Role.VIEWER, what=f"workspace {workspace!r}")
    if session.get(WorkspaceRow, workspace) is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    query = (
        select(MembershipRow, UserRow.email)
        .join(UserRow, UserRow.id == MembershipRow.user_id)
        .where(MembershipRow.workspace_id == workspace)
        .order_by(UserRow.email)
    )
    return [Member(row.user_id, email, Role(row.role), row.created_at) for row, email in session.execute(query)]


def change_member(session: Session, principal: Principal, workspace: str, user_id: int, role: Role | None) -> None:
    """Give member `user_id` `role` (None: remove them); `principal` must be an admin there."""
    authorize_workspace(principal, workspace, Role.ADMIN, what=f"workspace {workspace!r}")
    row = session.get(MembershipRow, (workspace, user_id))
    if row is None:
        raise NotFound(f"user {user_id} is not a member of {workspace!r}")
    if row.role == Role.ADMIN and role != Role.ADMIN and _admins(session, workspace) <= 1:
        raise Conflict(f"this is the last admin of {workspace!r}: make someone else admin first")
    set_membership(session, workspace=workspace, user_id=user_id, role=role)


def _admins(session: Session, workspace: str) -> int:
    query = select(func.count()).where(MembershipRow.workspace_id == workspace, MembershipRow.role == Role.ADMIN.value)
    return int(session.scalar(query) or 0)
