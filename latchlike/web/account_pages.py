"""Pages of people in browsers: signing in and out, accepting an invitation, one's account
and API tokens. Workspaces and their members are `workspace_pages.py`.

The login cookie (`SESSION_COOKIE`) is HttpOnly, SameSite=Lax, Path=/, lives as long as the
session, and is Secure when the public URL is https. Failed logins are rate limited
(`accounts/login.py`) by email and by client address: behind a reverse proxy every client
has the proxy's address, so the per-address limit then counts everyone together."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from latchlike.accounts.account import account_of, create_own_token
from latchlike.accounts.invitations import accept_invitation, open_invitation
from latchlike.accounts.login import LoginLimiter, log_in
from latchlike.accounts.roles import Role
from latchlike.accounts.sessions import SESSION_LIFETIME, end_session, start_session
from latchlike.accounts.tokens import MAX_LIFETIME, revoke_token
from latchlike.config import Settings
from latchlike.errors import InvalidArgument, NotFound, PermissionDenied, TooManyRequests, Unauthenticated
from latchlike.web.auth import SESSION_COOKIE, PrincipalDep, check_csrf
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import http_status_for
from latchlike.web.next_url import safe_next
from latchlike.web.templating import render

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def login_limiter(request: Request) -> LoginLimiter:
    """The app's one limiter, made on first use (it counts in this process's memory)."""
    limiter: LoginLimiter | None = getattr(request.app.state, "login_limiter", None)
    if limiter is None:
        limiter = request.app.state.login_limiter = LoginLimiter()
    return limiter


def set_session_cookie(response: Response, cookie: str, settings: Settings) -> None:
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
                        secure=settings.resolved_public_url.startswith("https://"), httponly=True,
                        samesite="lax")  # fmt: skip


@router.get("/login", response_class=HTMLResponse, response_model=None)
async def login_page(request: Request, principal: PrincipalDep, next: str = "") -> Response:
    if principal.authenticated and principal.via != "token":  # signed in already, or no logins here (local)
        return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    return await render(request, "login.html", {"next": safe_next(next), "email": "", "problem": ""})


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(
    request: Request,
    platform: PlatformDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=4096)],
    next: Annotated[str, Form()] = "",
) -> Response:
    limiter, client = login_limiter(request), request.client.host if request.client else "unknown"
    try:
        done = await platform.db.run(lambda s: log_in(s, limiter, email=email, password=password, client=client))
    except (Unauthenticated, PermissionDenied, TooManyRequests) as refused:
        code = http_status_for(refused)
        context = {"next": safe_next(next), "email": email, "problem": refused.message}
        page = await render(request, "login.html", context, status_code=code)
        if isinstance(refused, TooManyRequests):
            page.headers["Retry-After"] = str(refused.retry_after)
        return page
    response = RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, done.cookie, platform.settings)
    return response


@router.post("/logout")
async def logout(request: Request, platform: PlatformDep, principal: PrincipalDep) -> RedirectResponse:
    """Ends the session the cookie names, if it echoes the session's CSRF token: the cookie is
    ambient, so without the token any site could sign people out. A stale or missing cookie
    has nothing to end and just goes to the login page."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and principal.via == "session":
        await check_csrf(request, principal)
        await platform.db.run(lambda s: end_session(s, cookie))
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/invite/{token}", response_class=HTMLResponse)
async def invitation_page(request: Request, platform: PlatformDep, token: str) -> HTMLResponse:
    invitation = await platform.db.run(lambda s: open_invitation(s, token))
    context = {"invitation": invitation, "token": token, "problem": ""}
    return await render(request, "invite.html", context, headers=NO_STORE)


@router.post("/invite/{token}", response_class=HTMLResponse, response_model=None)
async def accept(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    token: str,
    password: Annotated[str | None, Form(max_length=4096)] = None,
    password_again: Annotated[str | None, Form(max_length=4096)] = None,
) -> Response:
    def join(session: Session) -> str:
        if password is not None and password != password_again:
            raise InvalidArgument("the two passwords differ")
        user_id = accept_invitation(session, token, principal=principal, password=password)
        return start_session(session, user_id)

    try:
        cookie = await platform.db.run(join)
    except (InvalidArgument, Unauthenticated) as refused:
        invitation = await platform.db.run(lambda s: open_invitation(s, token))
        context = {"invitation": invitation, "token": token, "problem": refused.message}
        return await render(request, "invite.html", context, status_code=400, headers=NO_STORE)
    response = RedirectResponse("/account", status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, cookie, platform.settings)
    return response


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, platform: PlatformDep, principal: PrincipalDep) -> HTMLResponse:
    account = await platform.db.run(lambda s: account_of(s, principal))
    context = {"account": account, "roles": list(Role), "max_days": MAX_LIFETIME.days}
    return await render(request, "account.html", context)


@router.post("/account/tokens", response_class=HTMLResponse)
async def create_token(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    name: Annotated[str, Form(max_length=255)],
    workspace: Annotated[str, Form(max_length=63)],
    role: Annotated[Role, Form()],
    days: Annotated[int, Form()],
) -> HTMLResponse:
    """The new token, shown this once (the page is not cached), with the line that configures
    flytekit with it."""
    issued = await platform.db.run(
        lambda s: create_own_token(s, principal, name=name, workspace=workspace, role=role, days=days)
    )
    return await render(request, "token_created.html", {"issued": issued}, status_code=201, headers=NO_STORE)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke(platform: PlatformDep, principal: PrincipalDep, token_id: str) -> RedirectResponse:
    if principal.user_id is None:
        raise NotFound(f"API token {token_id!r} does not exist")
    await platform.db.run(lambda s: revoke_token(s, principal, token_id))
    return RedirectResponse("/account", status.HTTP_303_SEE_OTHER)
