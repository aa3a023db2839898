"""One's own account: what `/account` and `/api/me` show, and creating one's own API tokens.

A token never carries more than the principal asking for it holds: a login's role in the
workspace, or, asked for with a token, that token's own workspace and role (so a leaked token
cannot mint a broader or longer-lived-elsewhere one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from latchlike.accounts.access import require_authenticated
from latchlike.accounts.members import WorkspaceInfo, list_workspaces
from latchlike.accounts.principal import Principal
from latchlike.accounts.roles import Role
from latchlike.accounts.tokens import MAX_LIFETIME, IssuedToken, TokenInfo, issue_token, list_tokens
from latchlike.errors import InvalidArgument, NotFound, PermissionDenied

__all__ = ["Account", "account_of", "create_own_token", "own_user_id"]


@dataclass(frozen=True)
class Account:
    email: str
    via: str
    site_admin: bool
    workspaces: list[WorkspaceInfo]
    tokens: list[TokenInfo]


def own_user_id(principal: Principal) -> int:
    """The principal's account id; InvalidArgument in local mode, which has no accounts."""
    require_authenticated(principal)
    if principal.user_id is None:
        raise InvalidArgument("this server runs without accounts (LATCHLIKE_AUTH=local): there are no tokens to manage")
    return principal.user_id


def account_of(session: Session, principal: Principal) -> Account:
    require_authenticated(principal)
    tokens = list_tokens(session, principal.user_id) if principal.user_id is not None else []
    return Account(principal.name, principal.via, principal.site_admin, list_workspaces(session, principal), tokens)


def create_own_token(
    session: Session, principal: Principal, *, name: str, workspace: str, role: Role, days: int
) -> IssuedToken:
    """A new token of the principal's own for `workspace`, `role` at most their own there."""
    user_id = own_user_id(principal)
    if not 1 <= days <= MAX_LIFETIME.days:
        raise InvalidArgument(f"a token lives between 1 and {MAX_LIFETIME.days} days")
    if not name.strip():
        raise InvalidArgument("give the token a name (what it is for), to know it again in the list")
    held = principal.role_in(workspace)
    if held is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    if not held.allows(role):
        raise PermissionDenied(f"a token cannot have more than your own role in {workspace!r} ({held})")
    return issue_token(session, user_id=user_id, workspace=workspace, role=role, name=name,
                       lifetime=timedelta(days=days))  # fmt: skip
