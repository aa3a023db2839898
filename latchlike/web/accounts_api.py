"""JSON API of accounts: who am I, my API tokens, workspaces, their members and invitations.

The same services as the pages (`account_pages.py`, `workspace_pages.py`); every decision
about who may do what is made there (and by the access rules), never here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from latchlike.accounts.access import require_authenticated
from latchlike.accounts.account import create_own_token, own_user_id
from latchlike.accounts.invitations import invite
from latchlike.accounts.members import Member, WorkspaceInfo, add_workspace, change_member, list_members
from latchlike.accounts.members import list_workspaces as workspaces_of
from latchlike.accounts.roles import Role
from latchlike.accounts.tokens import MAX_LIFETIME, TokenInfo, list_tokens, revoke_token
from latchlike.accounts.tokens import IssuedToken as IssuedTokenRecord
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import error_responses

UserId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # a database integer: larger ones are not ids, not a crash
router = APIRouter(prefix="/api", tags=["accounts"], responses=error_responses(400, 401, 403, 404))


class Me(BaseModel):
    name: str
    via: str
    site_admin: bool
    workspaces: dict[str, Role]


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    workspace: str = Field(max_length=63)
    role: Role
    days: int = Field(ge=1, le=MAX_LIFETIME.days)


class Token(BaseModel):
    id: str
    name: str
    workspace: str
    role: Role
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedToken(Token):
    token: str
    """The token itself: shown this once, never again."""


class NewWorkspace(BaseModel):
    id: str = Field(max_length=63)
    name: str = Field("", max_length=255)


class Workspace(BaseModel):
    id: str
    name: str
    role: Role


class MemberOut(BaseModel):
    user_id: int
    email: str
    role: Role
    since: datetime


class RoleChange(BaseModel):
    role: Role


class NewInvitation(BaseModel):
    email: str = Field(max_length=320)
    role: Role


class Invitation(BaseModel):
    email: str
    workspace: str
    role: Role
    expires_at: datetime
    url: str
    """The one-time link to pass on to the invitee; shown this once."""


@router.get("/me")
async def me(principal: PrincipalDep) -> Me:
    require_authenticated(principal)
    return Me(name=principal.name, via=principal.via, site_admin=principal.site_admin,
              workspaces=dict(principal.roles))  # fmt: skip


@router.get("/tokens")
async def my_tokens(platform: PlatformDep, principal: PrincipalDep) -> list[Token]:
    user_id = own_user_id(principal)
    return [_token(info) for info in await platform.db.run(lambda s: list_tokens(s, user_id))]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
async def new_token(platform: PlatformDep, principal: PrincipalDep, body: NewToken, response: Response) -> IssuedToken:
    def work(session: Session) -> IssuedTokenRecord:
        return create_own_token(session, principal, name=body.name, workspace=body.workspace, role=body.role,
                                days=body.days)  # fmt: skip

    issued = await platform.db.run(work)
    response.headers["Cache-Control"] = "no-store"
    return IssuedToken(**_token(issued.info).model_dump(), token=issued.token)


@router.delete("/tokens/{token_id}")
async def delete_token(platform: PlatformDep, principal: PrincipalDep, token_id: str) -> Token:
    """Revokes the token (it stays listed, marked revoked); revoking twice is harmless."""
    own_user_id(principal)
    return _token(await platform.db.run(lambda s: revoke_token(s, principal, token_id)))


@router.get("/workspaces")
async def list_workspaces(platform: PlatformDep, principal: PrincipalDep) -> list[Workspace]:
    """The workspaces the caller belongs to (every one, for a site admin)."""
    return [_workspace(info) for info in await platform.db.run(lambda s: workspaces_of(s, principal))]


@router.post("/workspaces", status_code=status.HTTP_201_CREATED, responses=error_responses(409))
async def create_workspace(platform: PlatformDep, principal: PrincipalDep, body: NewWorkspace) -> Workspace:
    await platform.db.run(lambda s: add_workspace(s, principal, workspace_id=body.id, name=body.name))
    return Workspace(id=body.id.strip(), name=body.name.strip() or body.id.strip(), role=Role.ADMIN)


@router.get("/workspaces/{workspace}/members")
async def members(platform: PlatformDep, principal: PrincipalDep, workspace: str) -> list[MemberOut]:
    return [_member(m) for m in await platform.db.run(lambda s: list_members(s, principal, workspace))]


@router.put("/workspaces/{workspace}/members/{user_id}", responses=error_responses(409))
async def set_role(
    platform: PlatformDep, principal: PrincipalDep, workspace: str, user_id: UserId, body: RoleChange
) -> list[MemberOut]:
    """Changes a member's role; answers the members as they now are."""

    def work(session: Session) -> list[Member]:
        change_member(session, principal, workspace, user_id, body.role)
        return list_members(session, principal, workspace)

    return [_member(m) for m in await platform.db.run(work)]


@router.delete("/workspaces/{workspace}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=error_responses(409))  # fmt: skip
async def remove_member(platform: PlatformDep, principal: PrincipalDep, workspace: str, user_id: UserId) -> None:
    await platform.db.run(lambda s: change_member(s, principal, workspace, user_id, None))


@router.post("/workspaces/{workspace}/invitations", status_code=status.HTTP_201_CREATED)
async def invite_someone(
    platform: PlatformDep, principal: PrincipalDep, workspace: str, body: NewInvitation, response: Response
) -> Invitation:
    email, role = body.email, body.role
    issued = await platform.db.run(lambda s: invite(s, principal, workspace=workspace, email=email, role=role))
    response.headers["Cache-Control"] = "no-store"
    found = issued.invitation
    return Invitation(email=found.email, workspace=found.workspace, role=found.role, expires_at=found.expires_at,
                      url=f"{platform.settings.resolved_public_url}/invite/{issued.token}")  # fmt: skip


def _token(info: TokenInfo) -> Token:
    return Token.model_validate(info, from_attributes=True)


def _workspace(info: WorkspaceInfo) -> Workspace:
    return Workspace(id=info.id, name=info.name, role=info.role)


def _member(member: Member) -> MemberOut:
    return MemberOut(user_id=member.user_id, email=member.email, role=member.role, since=member.since)
