"""Pages of workspaces: the list (a site admin also creates them there) and one workspace's
members, where its admins invite people, change roles and remove members. Plain forms, so
everything works without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from latchlike.accounts.invitations import invite
from latchlike.accounts.members import add_workspace, change_member, list_members, list_workspaces
from latchlike.accounts.roles import Role
from latchlike.errors import InvalidArgument
from latchlike.web.accounts_api import UserId
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import PlatformDep
from latchlike.web.templating import render

router = APIRouter(include_in_schema=False)
REMOVE = "remove"


@router.get("/workspaces", response_class=HTMLResponse)
async def workspaces_page(request: Request, platform: PlatformDep, principal: PrincipalDep) -> HTMLResponse:
    workspaces = await platform.db.run(lambda s: list_workspaces(s, principal))
    return await render(request, "workspaces.html", {"workspaces": workspaces})


@router.post("/workspaces")
async def create_workspace(
    platform: PlatformDep,
    principal: PrincipalDep,
    workspace_id: Annotated[str, Form(max_length=63)],
    name: Annotated[str, Form(max_length=255)] = "",
) -> RedirectResponse:
    await platform.db.run(lambda s: add_workspace(s, principal, workspace_id=workspace_id, name=name))
    return RedirectResponse(f"/workspaces/{workspace_id.strip()}", status.HTTP_303_SEE_OTHER)


@router.get("/workspaces/{workspace}", response_class=HTMLResponse)
async def workspace_page(
    request: Request, platform: PlatformDep, principal: PrincipalDep, workspace: str
) -> HTMLResponse:
    members = await platform.db.run(lambda s: list_members(s, principal, workspace))
    role = principal.role_in(workspace)
    context = {"workspace": workspace, "members": members, "roles": list(Role), "admin": role == Role.ADMIN}
    return await render(request, "workspace.html", context)


@router.post("/workspaces/{workspace}/invitations", response_class=HTMLResponse)
async def invite_someone(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    workspace: str,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[Role, Form()],
) -> HTMLResponse:
    """The invitation's link, shown this once, for the admin to pass on."""
    issued = await platform.db.run(lambda s: invite(s, principal, workspace=workspace, email=email, role=role))
    link = f"{platform.settings.resolved_public_url}/invite/{issued.token}"
    context = {"workspace": workspace, "invitation": issued.invitation, "link": link}
    return await render(request, "invitation_created.html", context, status_code=201,
                        headers={"Cache-Control": "no-store"})  # fmt: skip


@router.post("/workspaces/{workspace}/members/{user_id}")
async def change(
    platform: PlatformDep,
    principal: PrincipalDep,
    workspace: str,
    user_id: UserId,
    role: Annotated[str, Form(max_length=16)],
) -> RedirectResponse:
    """`role` is the member's new role, or `remove`."""
    try:
        new_role = None if role == REMOVE else Role.parse(role)
    except ValueError as error:
        raise InvalidArgument(str(error)) from None
    await platform.db.run(lambda s: change_member(s, principal, workspace, user_id, new_role))
    return RedirectResponse(f"/workspaces/{workspace}", status.HTTP_303_SEE_OTHER)
