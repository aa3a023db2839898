"""Who may call each HTTP route: one table, every route in it.

The app-level `Authorize` dependency (web/auth.py) looks each request's route up here and
enforces its rule before the handler runs, so a handler cannot forget to check; a route
missing from the table is refused, and the access-matrix test fails on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from latchlike.accounts.roles import Role

__all__ = ["RULES", "Kind", "Rule", "rule_for"]


class Kind(StrEnum):
    PUBLIC = "public"  # anyone: health, docs, the login page
    CAPABILITY = "capability"  # the request carries its own proof: a signed URL, the bucket hook's token
    SIGNED_IN = "signed-in"  # any principal; the handler shows only what `visible_projects` allows
    PROJECT = "project"  # `role` in the workspace owning the path's {project}
    WORKSPACE = "workspace"  # `role` in the path's {workspace}
    SITE_ADMIN = "site-admin"  # accounts and workspaces themselves


@dataclass(frozen=True)
class Rule:
    kind: Kind
    role: Role | None = None


PUBLIC = Rule(Kind.PUBLIC)
CAPABILITY = Rule(Kind.CAPABILITY)
SIGNED_IN = Rule(Kind.SIGNED_IN)
SITE_ADMIN = Rule(Kind.SITE_ADMIN)


def project(role: Role) -> Rule:
    return Rule(Kind.PROJECT, role)


def workspace(role: Role) -> Rule:
    return Rule(Kind.WORKSPACE, role)


READ, WRITE, MANAGE = project(Role.VIEWER), project(Role.MEMBER), project(Role.ADMIN)

RULES: dict[tuple[str, str], Rule] = {
    # Public: what anyone may see, and the way in.
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("HEAD", "/openapi.json"): PUBLIC,
    # Capabilities: signed URLs (bound to one object and an expiry) and the bucket webhook's token.
    ("PUT", "/upload/{key:path}"): CAPABILITY,
    ("GET", "/download/{expires}/{signature}/{key:path}"): CAPABILITY,
    ("HEAD", "/download/{expires}/{signature}/{key:path}"): CAPABILITY,
    ("POST", "/api/hooks/bucket-events"): CAPABILITY,
    # Lists across projects: answered for the projects the principal may read.
    ("GET", "/"): SIGNED_IN,
    ("GET", "/api/projects"): SIGNED_IN,
    ("GET", "/api/workflows"): SIGNED_IN,
    ("GET", "/api/tasks"): SIGNED_IN,
    ("GET", "/api/launch-plans"): SIGNED_IN,
    ("GET", "/api/executions"): SIGNED_IN,
    ("GET", "/workflows"): SIGNED_IN,
    ("GET", "/executions"): SIGNED_IN,
    ("GET", "/files"): SIGNED_IN,
    # One project's registry.
    ("GET", "/api/workflows/{project}/{domain}/{name}"): READ,
    ("GET", "/api/tasks/{project}/{domain}/{name}/{version}"): READ,
    ("GET", "/api/workflows/{project}/{domain}/{name}/form"): READ,
    ("GET", "/workflows/{project}/{domain}/{name}"): READ,
    ("GET", "/console/projects/{project}/domains/{domain}/workflow/{name}/version/{version}"): READ,
    # Launching and following executions.
    ("POST", "/api/workflows/{project}/{domain}/{name}/executions"): WRITE,
    ("GET", "/workflows/{project}/{domain}/{name}/launch"): READ,
    ("POST", "/workflows/{project}/{domain}/{name}/launch"): WRITE,
    ("GET", "/api/executions/{project}/{domain}/{name}"): READ,
    ("GET", "/api/executions/{project}/{domain}/{name}/nodes/{node_id}/items"): READ,
    ("GET", "/executions/{project}/{domain}/{name}"): READ,
    ("GET", "/executions/{project}/{domain}/{name}/events"): READ,
    ("GET", "/executions/{project}/{domain}/{name}/nodes/{node_id}/{attempt}/log"): READ,
    ("GET", "/executions/{project}/{domain}/{name}/nodes/{node_id}/{attempt}/log/stream"): READ,
    ("GET", "/executions/{project}/{domain}/{name}/files/{file_id}"): READ,
    ("GET", "/executions/{project}/{domain}/{name}/files/{file_id}/browse"): READ,
    ("GET", "/executions/{project}/{domain}/{name}/files/{file_id}/in/{member:path}"): READ,
    ("GET", "/console/projects/{project}/domains/{domain}/executions/{name}"): READ,
    ("POST", "/executions/{project}/{domain}/{name}/signals/{signal_id}"): WRITE,
    # Managed files.
    ("GET", "/api/files/{project}/candidates"): READ,
    ("GET", "/api/files/{project}/{path:path}"): READ,
    ("PUT", "/api/files/{project}/{path:path}"): WRITE,
    ("DELETE", "/api/files/{project}/{path:path}"): WRITE,
    ("POST", "/api/files/{project}/{path:path}:move"): WRITE,
    ("POST", "/api/files/{project}/{path:path}:restore"): WRITE,
    ("POST", "/api/files/{project}/{path:path}:mkdir"): WRITE,
    ("POST", "/api/files/{project}/{path:path}:kind"): WRITE,
    ("POST", "/api/files/{project}/{path:path}:qc"): WRITE,
    ("GET", "/api/trash/{project}"): READ,
    ("GET", "/files/{project}"): READ,
    ("GET", "/files/{project}/{folder:path}"): READ,
    ("OPTIONS", "/api/tus/{project}"): READ,
    ("OPTIONS", "/api/tus/{project}/{upload_id}"): READ,
    ("POST", "/api/tus/{project}"): WRITE,
    ("HEAD", "/api/tus/{project}/{upload_id}"): WRITE,
    ("PATCH", "/api/tus/{project}/{upload_id}"): WRITE,
    ("DELETE", "/api/tus/{project}/{upload_id}"): WRITE,
    ("GET", "/view/{project}/{path:path}"): READ,
    ("GET", "/index/{project}/{path:path}"): READ,
    ("GET", "/raw/{project}/{path:path}"): READ,
    # QC rules: read by everyone of the workspace, changed by its admins.
    ("GET", "/api/projects/{project}/qc-rules"): READ,
    ("POST", "/api/projects/{project}/qc-rules"): MANAGE,
    ("PUT", "/api/projects/{project}/qc-rules/{rule_id}"): MANAGE,
    ("DELETE", "/api/projects/{project}/qc-rules/{rule_id}"): MANAGE,
    ("GET", "/projects/{project}/qc-rules"): READ,
    # Accounts (webauth) — add the account, workspace and token routes here.
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,  # ends the cookie's session given its CSRF token (the handler checks); else redirects
    ("GET", "/invite/{token}"): PUBLIC,  # the token is the proof; an existing account also signs in
    ("POST", "/invite/{token}"): PUBLIC,
    ("GET", "/account"): SIGNED_IN,
    ("POST", "/account/tokens"): SIGNED_IN,  # a token's role is capped by the caller's own (accounts/account.py)
    ("POST", "/account/tokens/{token_id}/revoke"): SIGNED_IN,  # only one's own tokens (a site admin: any)
    ("GET", "/api/me"): SIGNED_IN,
    ("GET", "/api/tokens"): SIGNED_IN,
    ("POST", "/api/tokens"): SIGNED_IN,
    ("DELETE", "/api/tokens/{token_id}"): SIGNED_IN,
    ("GET", "/workspaces"): SIGNED_IN,  # lists the caller's own workspaces
    ("POST", "/workspaces"): SITE_ADMIN,
    ("GET", "/api/workspaces"): SIGNED_IN,
    ("POST", "/api/workspaces"): SITE_ADMIN,
    ("GET", "/workspaces/{workspace}"): workspace(Role.VIEWER),
    ("POST", "/workspaces/{workspace}/invitations"): workspace(Role.ADMIN),
    ("POST", "/workspaces/{workspace}/members/{user_id}"): workspace(Role.ADMIN),
    ("GET", "/api/workspaces/{workspace}/members"): workspace(Role.VIEWER),
    ("PUT", "/api/workspaces/{workspace}/members/{user_id}"): workspace(Role.ADMIN),
    ("DELETE", "/api/workspaces/{workspace}/members/{user_id}"): workspace(Role.ADMIN),
    ("POST", "/api/workspaces/{workspace}/invitations"): workspace(Role.ADMIN),
    # OAuth for flytekit (grpcauth) — add /oauth2/token here.
    ("POST", "/oauth2/token"): PUBLIC,  # the client authenticates itself (HTTP Basic: token id and secret)
    # Workspace secrets and limits (wssecrets) — add their routes here.
    ("GET", "/api/workspaces/{workspace}/secrets"): workspace(Role.ADMIN),
    ("PUT", "/api/workspaces/{workspace}/secrets/{group}/{key}"): workspace(Role.ADMIN),
    ("DELETE", "/api/workspaces/{workspace}/secrets/{group}/{key}"): workspace(Role.ADMIN),
    ("GET", "/api/workspaces/{workspace}/limits"): workspace(Role.VIEWER),
    ("PUT", "/api/workspaces/{workspace}/limits"): SITE_ADMIN,
}


def rule_for(method: str, path: str) -> Rule | None:
    """The rule of a route (its path template, as registered), or None if it has none."""
    return RULES.get((method.upper(), path))
