"""Accounts and workspaces: creating them, and who belongs where with which role."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from latchlike.accounts.passwords import check_password_rules, hash_password
from latchlike.accounts.roles import Role
from latchlike.accounts.tables import MembershipRow, UserRow, WorkspaceRow
from latchlike.db import insert_if_absent, utcnow
from latchlike.errors import AlreadyExists, InvalidArgument, NotFound

__all__ = ["create_user", "create_workspace", "normal_email", "set_membership"]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
_WORKSPACE_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def normal_email(email: str) -> str:
    """`email` trimmed and lowercased, or InvalidArgument if it is not an address."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidArgument(f"{email!r} is not an email address")
    return email


def create_user(
    session: Session, *, email: str, password: str | None, name: str = "", site_admin: bool = False
) -> UserRow:
    """A new account; `password` None leaves it to be set from an invitation."""
    email = normal_email(email)
    if password is not None and (problem := check_password_rules(password)):
        raise InvalidArgument(problem)
    if session.query(UserRow.id).filter(UserRow.email == email).first() is not None:
        raise AlreadyExists(f"an account for {email} already exists")
    user = UserRow(email=email, name=name.strip()[:255], site_admin=site_admin, created_at=utcnow(),
                   password_hash=None if password is None else hash_password(password))  # fmt: skip
    session.add(user)
    session.flush()
    return user


def create_workspace(session: Session, *, workspace_id: str, name: str = "") -> None:
    if not _WORKSPACE_ID.match(workspace_id):
        raise InvalidArgument(
            f"workspace id {workspace_id!r}: lowercase letters, digits and dashes, at most 63, no dash at either end"
        )
    if not insert_if_absent(session, WorkspaceRow, {"id": workspace_id, "name": name or workspace_id,
                                                     "created_at": utcnow()}):  # fmt: skip
        raise AlreadyExists(f"workspace {workspace_id!r} already exists")


def set_membership(session: Session, *, workspace: str, user_id: int, role: Role | None) -> None:
    """Give `user_id` `role` in `workspace`; None removes them."""
    if session.get(WorkspaceRow, workspace) is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    row = session.get(MembershipRow, (workspace, user_id))
    if role is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(MembershipRow(workspace_id=workspace, user_id=user_id, role=role.value, created_at=utcnow()))
    else:
        row.role = role.value
