"""A workspace's secrets and upload limit over HTTP.

`GET /api/workspaces/<ws>/secrets` lists names (never values); `PUT`/`DELETE
/api/workspaces/<ws>/secrets/<group>/<key>` set (JSON `{"value": ...}`) or remove one, for
the workspace's admins; `GET`/`PUT /api/workspaces/<ws>/limits` read and set its upload
limit (setting: site admins). The rules are in `access_rules`; the handlers check the
principal too, so a route is never open whatever the app-level check does.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from latchlike.accounts import limits
from latchlike.accounts import secrets as workspace_secrets
from latchlike.accounts.access import authorize_workspace, require_authenticated
from latchlike.accounts.principal import Principal
from latchlike.accounts.roles import Role
from latchlike.engine.loop import Engine
from latchlike.errors import NotFound, PermissionDenied
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import error_responses

router = APIRouter(prefix="/api/workspaces", tags=["workspaces"], responses=error_responses(400, 401, 403, 404))
SECRET = "/{workspace}/secrets/{group}/{key}"


class SecretValueBody(BaseModel):
    value: str = Field(description="The secret's value; stored encrypted, never shown again.")


class UploadLimit(BaseModel):
    max_upload_bytes: int | None = Field(
        description="The largest upload into this workspace's projects; null: the server's limit."
    )


class EffectiveUploadLimit(UploadLimit):
    effective_bytes: int
    """What applies now: the workspace's own limit, else the server's."""


@router.get("/{workspace}/secrets")
async def list_secrets(
    platform: PlatformDep, principal: PrincipalDep, workspace: str
) -> list[workspace_secrets.SecretInfo]:
    """The workspace's secrets by group and key, with who set each and when; never a value."""
    _admin(principal, workspace)
    return await platform.db.run(lambda s: workspace_secrets.list_secrets(s, workspace))


@router.put(SECRET)
async def set_secret(
    platform: PlatformDep, principal: PrincipalDep, workspace: str, group: str, key: str, body: SecretValueBody
) -> workspace_secrets.SecretInfo:
    """Create or replace the secret that tasks asking for `group`/`key` get (flytekit
    `secret_requests`). Group and key are case-insensitive, as flytekit reads them."""
    _admin(principal, workspace)
    box = platform.secret_box
    return await platform.db.run(
        lambda s: workspace_secrets.set_secret(
            s, box, workspace=workspace, group=group, key=key, value=body.value, by=principal.name
        )
    )


@router.delete(SECRET, status_code=204, responses=error_responses(503))
async def delete_secret(
    request: Request, platform: PlatformDep, principal: PrincipalDep, workspace: str, group: str, key: str
) -> Response:
    """Deletes the secret, then its value wherever the executor put it for tasks (with
    Kubernetes, the workspace's Secret): a 503 says that copy could not be removed, and the
    same DELETE again removes it (then answering 404, as the secret itself is gone)."""
    _admin(principal, workspace)
    engine: Engine = request.app.state.engine
    try:
        deleted = await platform.db.run(
            lambda s: workspace_secrets.delete_secret(s, workspace=workspace, group=group, key=key)
        )
    except NotFound:
        name = workspace_secrets.check_name("group", group), workspace_secrets.check_name("key", key)
        await engine.forget_secret(workspace, *name)  # a retry after a 503: only the copy was left
        raise
    await engine.forget_secret(workspace, *deleted)
    return Response(status_code=204)


@router.get("/{workspace}/limits")
async def get_limits(platform: PlatformDep, principal: PrincipalDep, workspace: str) -> EffectiveUploadLimit:
    """The workspace's own upload limit (null: none) and the one in effect."""
    authorize_workspace(principal, workspace, Role.VIEWER, what=f"workspace {workspace!r}")
    own = await platform.db.run(lambda s: limits.workspace_limit(s, workspace))
    return EffectiveUploadLimit(max_upload_bytes=own, effective_bytes=own or platform.settings.max_upload_bytes)


@router.put("/{workspace}/limits")
async def set_limits(
    platform: PlatformDep, principal: PrincipalDep, workspace: str, body: UploadLimit
) -> EffectiveUploadLimit:
    """Set the workspace's upload limit (site admins); null returns it to the server's."""
    require_authenticated(principal)
    if not principal.site_admin:
        raise PermissionDenied("setting a workspace's upload limit needs a site admin")
    await platform.db.run(lambda s: limits.set_upload_limit(s, workspace, body.max_upload_bytes))
    effective = body.max_upload_bytes or platform.settings.max_upload_bytes
    return EffectiveUploadLimit(max_upload_bytes=body.max_upload_bytes, effective_bytes=effective)


def _admin(principal: Principal, workspace: str) -> None:
    authorize_workspace(principal, workspace, Role.ADMIN, what=f"workspace {workspace!r}")
