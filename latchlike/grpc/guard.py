"""Who is calling, and whether they may: resolved once per gRPC call, before the servicer runs.

With accounts, the caller is the API token in the call's `authorization` metadata (`Bearer
<token>`, the key `GetPublicClientConfig` tells flytekit to use), and the method's rule in
`access.py` is enforced in the same database visit. Without accounts (the loopback
default) every caller is the local admin and nothing is read. Servicers learn the caller
from `caller()`; what they record (`launched_by`) comes from it, never from the request.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import grpc
from grpc import aio
from sqlalchemy.orm import Session

from latchlike.accounts.access import authorize_project, authorize_workspace, home_workspace
from latchlike.accounts.identify import bearer_token, identify
from latchlike.accounts.principal import ANONYMOUS, LOCAL, Principal
from latchlike.accounts.roles import Role
from latchlike.db import Database
from latchlike.errors import InvalidArgument, PermissionDenied, Unauthenticated
from latchlike.grpc.access import Kind, Rule, rule_for
from latchlike.grpc.wrapping import Behaviour, UnaryInterceptor
from latchlike.store import FileStore

__all__ = ["NO_TOKEN", "AccessInterceptor", "caller"]

_CALLER: ContextVar[Principal] = ContextVar("grpc_caller", default=ANONYMOUS)
METADATA_KEY = "authorization"
NO_TOKEN = (
    "this server needs an API token: create one on the web server's /account page, then run "
    "`latchlike config flytekit --token <API token>` and use the config it writes"
)


def caller() -> Principal:
    """The principal of the call being served (anonymous outside one)."""
    return _CALLER.get()


class AccessInterceptor(UnaryInterceptor):
    """Sets `caller()` for every unary handler; with `accounts`, refuses what its rule forbids.

    Runs inside `status.ErrorStatusInterceptor`, so refusals leave as their status codes."""

    def __init__(self, db: Database, store: FileStore, *, accounts: bool) -> None:
        self._db = db
        self._store = store
        self._accounts = accounts

    def wrap(self, behaviour: Behaviour, details: grpc.HandlerCallDetails) -> Behaviour:
        method: str = details.method
        rule = rule_for(method)
        header = _header(details.invocation_metadata)

        async def authorized(request: Any, context: aio.ServicerContext) -> Any:
            if rule is None:
                raise PermissionDenied(f"{method} has no access rule, so latchlike refuses it")
            principal = await self._decide(rule, request, header) if self._accounts else LOCAL
            token = _CALLER.set(principal)
            try:
                return await behaviour(request, context)
            finally:
                _CALLER.reset(token)

        return authorized

    async def _decide(self, rule: Rule, request: Any, header: str | None) -> Principal:
        if rule.kind is Kind.PUBLIC:
            return ANONYMOUS
        token = bearer_token(header)
        if token is None:
            raise Unauthenticated(NO_TOKEN)
        projects = rule.locate(request, self._store) if rule.locate is not None else ()
        return await self._db.run(lambda session: _authorize(session, rule, token, projects))


def _authorize(session: Session, rule: Rule, token: str, projects: tuple[str, ...]) -> Principal:
    principal = identify(session, token=token, cookie=None)
    if rule.kind is Kind.NEW_PROJECT:
        workspace = home_workspace(principal)
        authorize_workspace(principal, workspace, Role.MEMBER, what=f"workspace {workspace!r}")
    elif rule.kind is Kind.PROJECT:
        assert rule.role is not None, "a project rule names its role"
        for project in projects:
            if not project:
                raise InvalidArgument("this call needs a project")
            authorize_project(session, principal, project, rule.role)
    return principal


def _header(metadata: Any) -> str | None:
    """The `authorization` value of a call's metadata (gRPC lowercases keys)."""
    for key, value in metadata or ():
        if key == METADATA_KEY:
            return value if isinstance(value, str) else value.decode()
    return None
