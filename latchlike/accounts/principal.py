"""Who is asking, as every access decision sees it.

A principal is resolved once per request (`identify.py`) from what the request proves: a
login session's cookie, an API token, or nothing. Everything recorded about an action
(`launched_by`, `uploaded_by`) comes from `Principal.name`, never from the request's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from latchlike.accounts.roles import Role
from latchlike.principal import LOCAL_PRINCIPAL

__all__ = ["ANONYMOUS", "LOCAL", "Principal"]

Via = Literal["local", "session", "token", "anonymous"]


@dataclass(frozen=True)
class Principal:
    name: str
    """What records say did it: the account's email, or the local account's name."""
    via: Via
    user_id: int | None = None
    roles: Mapping[str, Role] = field(default_factory=dict)
    """Workspace → role. A token's principal holds only its own workspace, at most its role."""
    site_admin: bool = False
    """Manages accounts and workspaces, and is admin of every workspace (not through a token)."""
    csrf_token: str | None = None
    """A login session's CSRF token, which its state-changing forms must echo."""

    @property
    def authenticated(self) -> bool:
        return self.via != "anonymous"

    def role_in(self, workspace: str) -> Role | None:
        if self.site_admin:
            return Role.ADMIN
        return self.roles.get(workspace)

    def workspaces(self) -> frozenset[str] | None:
        """The workspaces this principal can see; None: every one (site admin, local mode)."""
        return None if self.site_admin else frozenset(self.roles)


LOCAL = Principal(name=LOCAL_PRINCIPAL, via="local", site_admin=True)
"""A loopback server without accounts: the one person at this machine may do everything."""
ANONYMOUS = Principal(name="anonymous", via="anonymous")
