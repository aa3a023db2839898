"""Who is asking, for every HTTP route, and whether they may: the principal, resolved once per
request, and `Authorize`, the app-level dependency that enforces `access_rules.RULES`.

Without accounts (`auth = local`, loopback only) every request is the local admin and no
database is read. With accounts, `Authorization: Bearer <API token>` or the login cookie
(`SESSION_COOKIE`) decide (`accounts/identify.py`). A session's state-changing requests must
also carry its CSRF token, in the `X-CSRF-Token` header (scripts) or the `latchlike-csrf` form
field (forms); token requests carry no ambient credential and need none.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from latchlike.accounts.access import authorize_project, authorize_workspace, home_workspace, require_authenticated
from latchlike.accounts.identify import bearer_token, identify
from latchlike.accounts.principal import ANONYMOUS, LOCAL, Principal
from latchlike.accounts.roles import Role
from latchlike.errors import InternalError, PermissionDenied, Unauthenticated
from latchlike.files.paths import live_key
from latchlike.platform import Platform
from latchlike.specs.projects import ensure_project
from latchlike.web.access_rules import Kind, Rule, rule_for

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "SESSION_COOKIE", "Authorize", "PrincipalDep", "check_csrf",
           "request_principal", "route_rule"]  # fmt: skip

log = logging.getLogger(__name__)

SESSION_COOKIE = "latchlike_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "latchlike-csrf"
"""Not a Python identifier, so never the name of a workflow input beside it in a launch form."""
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


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


def route_rule(method: str, path: str) -> Rule | None:
    """The rule of a route. A HEAD the table says nothing about is the GET of the same route
    (Starlette answers HEAD on every GET route, with the GET handler); a route that declares
    its own HEAD (downloads, tus) has its own entry, which wins."""
    rule = rule_for(method, path)
    if rule is None and method.upper() == "HEAD":
        return rule_for("GET", path)
    return rule


class Authorize:
    """App-level dependency: the route's rule from `access_rules`, enforced before its handler.

    PUBLIC and CAPABILITY routes pass without a principal (a signed URL is its own proof, and
    pyflyte's PUTs carry no credentials); on a PUBLIC one a bad token is taken as anonymous.
    A route without a rule is refused in every mode: a forgotten entry is a bug to see at
    once, not a hole. In local mode nothing else is checked and nothing is read (the local
    account is site admin)."""

    async def __call__(self, request: Request) -> None:
        method = request.method.upper()
        route = request.scope.get("route")
        path: str = getattr(route, "path", request.url.path)
        rule = route_rule(method, path)
        if rule is None:
            log.error("route %s %s has no entry in web/access_rules.py: refused", method, path)
            raise InternalError(f"route {method} {path} has no access rule: refused until it has one")
        if rule.kind is Kind.CAPABILITY:
            return
        platform: Platform = request.app.state.platform
        if platform.settings.auth == "local":
            return
        if rule.kind is Kind.PUBLIC:
            await _ignore_bad_token(request)
            return
        principal = await request_principal(request)
        require_authenticated(principal)
        if principal.via == "session" and method in STATE_CHANGING:
            await check_csrf(request, principal)
        await _enforce(platform, principal, rule, request.path_params)


async def _ignore_bad_token(request: Request) -> None:
    """On a public route a token that proves nothing counts for nothing: the page (which may
    show who is signed in) is served as to anyone, not refused. Read only if one is sent."""
    if "authorization" in request.headers:
        try:
            await request_principal(request)
        except Unauthenticated:
            request.state.principal = ANONYMOUS


async def check_csrf(request: Request, principal: Principal) -> None:
    """A login session's change must echo its CSRF token: header, else (a form post) the field.

    Only POST bodies are read for the field: HTML forms can send nothing else, and PUT/PATCH
    bodies (file uploads) are streams their handlers read. Starlette caches the parsed form on
    the request, which is the one the handler gets, so its own `request.form()` still works."""
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and request.method.upper() == "POST" and content_type.startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = principal.csrf_token or ""
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDenied(
            "refused: this change carries no valid CSRF token for your login session "
            f"(the `{CSRF_HEADER}` header or the `{CSRF_FIELD}` form field). Reload the page and try again."
        )


async def _enforce(platform: Platform, principal: Principal, rule: Rule, params: dict[str, str]) -> None:
    if rule.kind is Kind.SIGNED_IN:
        return
    if rule.kind is Kind.SITE_ADMIN:
        if not principal.site_admin:
            raise PermissionDenied("only a site admin may do this")
        return
    if rule.role is None:
        raise InternalError(f"access rule {rule} names no role")
    needed = rule.role
    if rule.kind is Kind.PROJECT:
        project = params["project"]
        await platform.db.run(lambda session: _authorize_project(session, principal, project, needed))
    elif rule.kind is Kind.WORKSPACE:
        workspace = params["workspace"]
        authorize_workspace(principal, workspace, needed, what=f"workspace {workspace!r}")
    else:
        raise InternalError(f"access rule kind {rule.kind} is not enforced")


def _authorize_project(session: Session, principal: Principal, project: str, needed: Role) -> None:
    """`authorize_project`; a change to a project nobody has yet (a first upload) makes it, in
    the caller's home workspace, so that its files are never shared by every workspace."""
    if authorize_project(session, principal, project, needed) is None and needed.allows(Role.MEMBER):
        live_key(project, "_")  # a name no key may hold is refused before it is claimed
        ensure_project(session, project_id=project, workspace=home_workspace(principal))
