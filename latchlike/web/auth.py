"""Who is asking, for every HTTP route: the principal, resolved once per request.

Without accounts (`auth = local`, loopback only) every request is the local admin and no
database is read. With accounts, `Authorization: Bearer <API token>` or the login cookie
(`SESSION_COOKIE`) decide (`accounts/identify.py`). A session's state-changing requests must
also carry its CSRF token, in the `X-CSRF-Token` header (scripts) or the `csrf_token` form
field (forms); token requests carry no ambient credential and need none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from latchlike.accounts.identify import bearer_token, identify
from latchlike.accounts.principal import ANONYMOUS, LOCAL, Principal
from latchlike.platform import Platform

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "SESSION_COOKIE", "PrincipalDep", "request_principal"]

SESSION_COOKIE = "latchlike_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


async def request_principal(request: Request) -> Principal:
    """The request's principal (cached on `request.state`); Unauthenticated for a bad token."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    platform: Platform = request.app.state.platform
    if platform.settings.auth == "local":
        principal = LOCAL
    else:
        token = bearer_token(request.headers.get("authorization"))
        cookie = request.cookies.get(SESSION_COOKIE)
        principal = ANONYMOUS
        if token or cookie:
            principal = await platform.db.run(lambda session: identify(session, token=token, cookie=cookie))
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(request_principal)]
