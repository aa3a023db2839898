"""Invitations: an admin of a workspace asks someone by email to join it with a role.

The invitation is a one-time link `/invite/<token>`, valid `LIFETIME`; only the token's
digest is stored. Whoever opens it either sets a password (no account for that email yet)
or, with an account already, signs in as that email and joins. latchlike sends no mail: the
admin passes the link on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.access import authorize_workspace
from latchlike.accounts.passwords import check_password_rules, hash_password
from latchlike.accounts.principal import Principal
from latchlike.accounts.roles import Role
from latchlike.accounts.secrets_digest import digest, new_secret
from latchlike.accounts.tables import InvitationRow, MembershipRow, UserRow, WorkspaceRow
from latchlike.accounts.users import create_user, normal_email, set_membership
from latchlike.db import utcnow
from latchlike.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated

__all__ = ["LIFETIME", "Invitation", "IssuedInvitation", "accept_invitation", "invite", "open_invitation"]

LIFETIME = timedelta(days=7)
_GONE = "this invitation link is not valid: it was used already, it expired, or it was never issued"


@dataclass(frozen=True)
class Invitation:
    email: str
    workspace: str
    role: Role
    expires_at: datetime
    has_account: bool
    """The email has an account with a password: the invitee signs in rather than sets one."""


@dataclass(frozen=True)
class IssuedInvitation:
    token: str
    """Secret, shown once to the admin as the link `/invite/<token>`."""
    invitation: Invitation


def invite(session: Session, principal: Principal, *, workspace: str, email: str, role: Role) -> IssuedInvitation:
    """A new invitation to `workspace`; `principal` must be its admin (or a site admin)."""
    authorize_workspace(principal, workspace, Role.ADMIN, what=f"workspace {workspace!r}")
    if session.get(WorkspaceRow, workspace) is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    if principal.user_id is None:
        raise InvalidArgument("invitations need an account to come from: run the server with LATCHLIKE_AUTH=accounts")
    email = normal_email(email)
    token, now = new_secret(), utcnow()
    row = InvitationRow(id_sha256=digest(token), email=email, workspace_id=workspace, role=role.value,
                        invited_by=principal.user_id, created_at=now, expires_at=now + LIFETIME)  # fmt: skip
    session.add(row)
    return IssuedInvitation(token, _invitation(session, row))


def open_invitation(session: Session, token: str) -> Invitation:
    """What a live invitation offers; NotFound if it was used, expired or never issued."""
    return _invitation(session, _live(session, token))


def accept_invitation(session: Session, token: str, *, principal: Principal, password: str | None) -> int:
    """Join the invitation's workspace; returns the account's id, for a new login session.

    No account yet (or one invited but without a password): `password` sets it. An account
    with a password: `principal` must be signed in as that very email. A role already held
    that is higher than the invitation's is kept."""
    row = _live(session, token)
    user = session.scalar(select(UserRow).where(UserRow.email == row.email))
    if user is not None and user.disabled_at is not None:
        raise PermissionDenied("this account is disabled: ask an administrator")
    if user is None or user.password_hash is None:
        if password is None:
            raise InvalidArgument("choose a password for your new account")
        if problem := check_password_rules(password):
            raise InvalidArgument(problem)
        if user is None:
            user = create_user(session, email=row.email, password=password)
        else:
            user.password_hash = hash_password(password)
    elif principal.user_id != user.id:
        raise Unauthenticated(f"this invitation is for {row.email}: sign in as {row.email} first")
    held = session.scalar(
        select(MembershipRow.role).where(
            MembershipRow.workspace_id == row.workspace_id, MembershipRow.user_id == user.id
        )
    )
    invited = Role(row.role)
    if held is None or not Role(held).allows(invited):
        set_membership(session, workspace=row.workspace_id, user_id=user.id, role=invited)
    row.accepted_at = utcnow()
    return user.id


def _live(session: Session, token: str) -> InvitationRow:
    row = session.get(InvitationRow, digest(token)) if 0 < len(token) <= 128 else None
    if row is None or row.accepted_at is not None or row.expires_at <= utcnow():
        raise NotFound(_GONE)
    return row


def _invitation(session: Session, row: InvitationRow) -> Invitation:
    password = session.scalar(select(UserRow.password_hash).where(UserRow.email == row.email))
    return Invitation(row.email, row.workspace_id, Role(row.role), row.expires_at, has_account=password is not None)
