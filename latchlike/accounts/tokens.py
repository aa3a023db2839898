"""API tokens: a machine's credential for the CLI, the JSON API and gRPC (flytekit).

A token is `llt_<id>.<secret>`: the id is public (flytekit's OAuth client id, shown in
lists), the secret is shown once and stored as its SHA-256. Each token is bound to one
workspace and a role no higher than its owner's there, and expires. Whatever it may do is
re-checked against the owner's current membership at every use, so removing someone from a
workspace disables their tokens for it at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.principal import Principal
from latchlike.accounts.roles import Role
from latchlike.accounts.secrets_digest import digest, new_secret, same_digest
from latchlike.accounts.tables import ApiTokenRow, MembershipRow, UserRow, WorkspaceRow
from latchlike.db import utcnow
from latchlike.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated

__all__ = ["PREFIX", "IssuedToken", "TokenInfo", "issue_token", "list_tokens", "principal_of_token", "revoke_token",
           "split_token"]  # fmt: skip

PREFIX = "llt_"
MAX_LIFETIME = timedelta(days=366)
LAST_USED_PRECISION = timedelta(minutes=10)
"""`last_used_at` is written at most this often: a busy client must not make every call a write."""


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    workspace: str
    role: Role
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    info: TokenInfo
    token: str
    """The whole credential, shown once; `llt_<id>.<secret>`."""

    @property
    def secret(self) -> str:
        return self.token.split(".", 1)[1]


def issue_token(
    session: Session, *, user_id: int, workspace: str, role: Role, name: str, lifetime: timedelta
) -> IssuedToken:
    """A new token of `user_id` for `workspace`; its role may not exceed the owner's there."""
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise InvalidArgument(f"a token lives between a minute and {MAX_LIFETIME.days} days")
    owner_role = _membership_role(session, user_id, workspace)
    if owner_role is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    if not owner_role.allows(role):
        raise PermissionDenied(f"a token cannot have more than your own role in {workspace!r} ({owner_role})")
    token_id, secret = secrets.token_hex(8), new_secret()
    now = utcnow()
    row = ApiTokenRow(id=token_id, secret_sha256=digest(secret), user_id=user_id, workspace_id=workspace,
                      role=role.value, name=name.strip()[:255], created_at=now, expires_at=now + lifetime)  # fmt: skip
    session.add(row)
    session.flush()
    return IssuedToken(_info(row), f"{PREFIX}{token_id}.{secret}")


def split_token(token: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed token, else None."""
    if not token.startswith(PREFIX) or "." not in token:
        return None
    token_id, secret = token[len(PREFIX) :].split(".", 1)
    return (token_id, secret) if token_id and secret else None


def principal_of_token(session: Session, token_id: str, secret: str) -> Principal:
    """The principal a token proves, or Unauthenticated saying exactly what is wrong with it."""
    row = session.get(ApiTokenRow, token_id) if len(token_id) <= 32 else None
    if row is None or not same_digest(secret, row.secret_sha256):
        raise Unauthenticated("this API token is not valid: create one on the web server's /account page")
    if row.revoked_at is not None:
        raise Unauthenticated(f"API token {token_id} was revoked: create a new one")
    if row.expires_at <= utcnow():
        raise Unauthenticated(f"API token {token_id} expired at {row.expires_at:%Y-%m-%d %H:%M} UTC: create a new one")
    user = session.get(UserRow, row.user_id)
    owner_role = _membership_role(session, row.user_id, row.workspace_id)
    if user is None or user.disabled_at is not None or owner_role is None:
        raise Unauthenticated(f"API token {token_id}: its owner is no longer a member of {row.workspace_id!r}")
    role = min(Role(row.role), owner_role, key=lambda r: r.rank)
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        row.last_used_at = now
    return Principal(name=user.email, via="token", user_id=user.id, roles={row.workspace_id: role})


def list_tokens(session: Session, user_id: int) -> list[TokenInfo]:
    query = select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.created_at.desc())
    return [_info(row) for row in session.scalars(query)]


def revoke_token(session: Session, principal: Principal, token_id: str) -> TokenInfo:
    """Revoke a token of one's own (a site admin: anyone's). Revoking twice is harmless."""
    row = session.get(ApiTokenRow, token_id)
    if row is None or (row.user_id != principal.user_id and not principal.site_admin):
        raise NotFound(f"API token {token_id!r} does not exist")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return _info(row)


def _membership_role(session: Session, user_id: int, workspace: str) -> Role | None:
    role = session.scalar(
        select(MembershipRow.role).where(MembershipRow.user_id == user_id, MembershipRow.workspace_id == workspace)
    )
    if role is None:
        user = session.get(UserRow, user_id)
        return Role.ADMIN if user is not None and user.site_admin and _workspace_exists(session, workspace) else None
    return Role(role)


def _workspace_exists(session: Session, workspace: str) -> bool:
    return session.get(WorkspaceRow, workspace) is not None


def _info(row: ApiTokenRow) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.workspace_id, Role(row.role), row.created_at, row.expires_at,
                     row.revoked_at, row.last_used_at)  # fmt: skip
