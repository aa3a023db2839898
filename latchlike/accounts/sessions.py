"""Browser logins: a random cookie value whose digest keys a row, with its CSRF token.

The cookie is Secure (when served over https), HttpOnly and SameSite=Lax (`web` sets it);
the CSRF token is a second random value every state-changing form and fetch echoes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from latchlike.accounts.principal import Principal
from latchlike.accounts.roles import Role
from latchlike.accounts.secrets_digest import digest, new_secret
from latchlike.accounts.tables import InvitationRow, LoginSessionRow, MembershipRow, UserRow
from latchlike.db import utcnow

__all__ = [
    "SESSION_LIFETIME",
    "end_session",
    "forget_expired",
    "principal_of_session",
    "start_session",
    "user_principal",
]

SESSION_LIFETIME = timedelta(days=7)


def start_session(session: Session, user_id: int, lifetime: timedelta = SESSION_LIFETIME) -> str:
    """A new login of `user_id`; returns the cookie value (never stored as such)."""
    cookie, now = new_secret(), utcnow()
    session.add(LoginSessionRow(id_sha256=digest(cookie), user_id=user_id, csrf_token=new_secret(),
                                created_at=now, expires_at=now + lifetime))  # fmt: skip
    return cookie


def end_session(session: Session, cookie: str) -> None:
    session.execute(delete(LoginSessionRow).where(LoginSessionRow.id_sha256 == digest(cookie)))


def forget_expired(session: Session) -> int:
    """Delete logins and invitations past their expiry (they prove nothing any more); how many."""
    now = utcnow()
    logins = delete(LoginSessionRow).where(LoginSessionRow.expires_at < now).returning(LoginSessionRow.id_sha256)
    invitations = delete(InvitationRow).where(InvitationRow.expires_at < now).returning(InvitationRow.id_sha256)
    return len(session.execute(logins).all()) + len(session.execute(invitations).all())


def principal_of_session(session: Session, cookie: str) -> Principal | None:
    """The principal of a live login, or None (unknown, expired, or the account disabled)."""
    row = session.get(LoginSessionRow, digest(cookie)) if len(cookie) <= 128 else None
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(UserRow, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return user_principal(session, user, via="session", csrf_token=row.csrf_token)


def user_principal(session: Session, user: UserRow, *, via: str, csrf_token: str | None = None) -> Principal:
    """`user` with every workspace role they hold."""
    query = select(MembershipRow.workspace_id, MembershipRow.role).where(MembershipRow.user_id == user.id)
    roles = {workspace: Role(role) for workspace, role in session.execute(query)}
    return Principal(name=user.email, via=via, user_id=user.id, roles=roles,  # type: ignore[arg-type]
                     site_admin=user.site_admin, csrf_token=csrf_token)  # fmt: skip
