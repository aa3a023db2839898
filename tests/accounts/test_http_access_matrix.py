"""The HTTP access matrix: every route of the app, called by each role of workspace A on A's
project and on workspace B's, anonymously, and with an expired and a revoked token, against
one real accounts-mode server. Each call is allowed or refused with exactly the status the
matrix expects, and a refused call that would change something changes nothing.

A route the app serves and `EXPECTED` does not list fails the test: a new route needs its row
here (and its rule in `latchlike/web/access_rules.py`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session
from starlette.routing import Mount

from latchlike.accounts.roles import Role
from latchlike.accounts.secrets_digest import digest
from latchlike.accounts.sessions import start_session
from latchlike.accounts.tables import LoginSessionRow, UserRow
from latchlike.app import create_app
from latchlike.config import Settings
from latchlike.files.managed import files_prefix
from latchlike.platform import open_platform
from latchlike.store.local import LocalFileStore
from latchlike.triggers.tables import QcRuleRow, TriggerRow
from latchlike.web.auth import CSRF_FIELD
from tests.accounts.fixtures import TokenState, add_person, add_workspace, api_token, start_accounts_server
from tests.samples import serialize_sample
from tests.server import RunningServer
from tests.ui_gen.registry import register_serialized

# What each route allows, written here by hand (not read from access_rules.py, which this checks):
# public, capability (a signed URL or a webhook secret: the same answer for everyone), signed-in
# (any account; lists show only its projects), read/write/manage (viewer/member/admin of the
# workspace owning the path's project), site-admin, or ("workspace", role) for the path's workspace.
EXPECTED: dict[tuple[str, str], str | tuple[str, Role]] = {
    ("GET", "/api/health"): "public",
    ("GET", "/favicon.ico"): "public",
    ("GET", "/docs"): "public",
    ("GET", "/openapi.json"): "public",
    ("HEAD", "/openapi.json"): "public",
    ("PUT", "/upload/{key:path}"): "capability",
    ("GET", "/download/{expires}/{signature}/{key:path}"): "capability",
    ("HEAD", "/download/{expires}/{signature}/{key:path}"): "capability",
    ("POST", "/api/hooks/bucket-events"): "capability",
    ("GET", "/"): "signed-in",
    ("GET", "/api/projects"): "signed-in",
    ("GET", "/api/workflows"): "signed-in",
    ("GET", "/api/tasks"): "signed-in",
    ("GET", "/api/launch-plans"): "signed-in",
    ("GET", "/api/executions"): "signed-in",
    ("GET", "/workflows"): "signed-in",
    ("GET", "/executions"): "signed-in",
    ("GET", "/files"): "signed-in",
    ("GET", "/api/workflows/{project}/{domain}/{name}"): "read",
    ("GET", "/api/tasks/{project}/{domain}/{name}/{version}"): "read",
    ("GET", "/api/workflows/{project}/{domain}/{name}/form"): "read",
    ("GET", "/workflows/{project}/{domain}/{name}"): "read",
    ("GET", "/console/projects/{project}/domains/{domain}/workflow/{name}/version/{version}"): "read",
    ("POST", "/api/workflows/{project}/{domain}/{name}/executions"): "write",
    ("GET", "/workflows/{project}/{domain}/{name}/launch"): "read",
    ("POST", "/workflows/{project}/{domain}/{name}/launch"): "write",
    ("GET", "/api/executions/{project}/{domain}/{name}"): "read",
    ("GET", "/api/executions/{project}/{domain}/{name}/nodes/{node_id}/items"): "read",
    ("GET", "/executions/{project}/{domain}/{name}"): "read",
    ("GET", "/executions/{project}/{domain}/{name}/events"): "read",
    ("GET", "/executions/{project}/{domain}/{name}/nodes/{node_id}/{attempt}/log"): "read",
    ("GET", "/executions/{project}/{domain}/{name}/nodes/{node_id}/{attempt}/log/stream"): "read",
    ("GET", "/executions/{project}/{domain}/{name}/files/{file_id}"): "read",
    ("GET", "/executions/{project}/{domain}/{name}/files/{file_id}/browse"): "read",
    ("GET", "/executions/{project}/{domain}/{name}/files/{file_id}/in/{member:path}"): "read",
    ("GET", "/console/projects/{project}/domains/{domain}/executions/{name}"): "read",
    ("POST", "/executions/{project}/{domain}/{name}/signals/{signal_id}"): "write",
    ("GET", "/api/files/{project}/candidates"): "read",
    ("GET", "/api/files/{project}/{path:path}"): "read",
    ("PUT", "/api/files/{project}/{path:path}"): "write",
    ("DELETE", "/api/files/{project}/{path:path}"): "write",
    ("POST", "/api/files/{project}/{path:path}:move"): "write",
    ("POST", "/api/files/{project}/{path:path}:restore"): "write",
    ("POST", "/api/files/{project}/{path:path}:mkdir"): "write",
    ("POST", "/api/files/{project}/{path:path}:kind"): "write",
    ("POST", "/api/files/{project}/{path:path}:qc"): "write",
    ("GET", "/api/trash/{project}"): "read",
    ("GET", "/files/{project}"): "read",
    ("GET", "/files/{project}/{folder:path}"): "read",
    ("OPTIONS", "/api/tus/{project}"): "read",
    ("OPTIONS", "/api/tus/{project}/{upload_id}"): "read",
    ("POST", "/api/tus/{project}"): "write",
    ("HEAD", "/api/tus/{project}/{upload_id}"): "write",
    ("PATCH", "/api/tus/{project}/{upload_id}"): "write",
    ("DELETE", "/api/tus/{project}/{upload_id}"): "write",
    ("GET", "/view/{project}/{path:path}"): "read",
    ("GET", "/index/{project}/{path:path}"): "read",
    ("GET", "/raw/{project}/{path:path}"): "read",
    ("GET", "/api/projects/{project}/qc-rules"): "read",
    ("POST", "/api/projects/{project}/qc-rules"): "manage",
    ("PUT", "/api/projects/{project}/qc-rules/{rule_id}"): "manage",
    ("DELETE", "/api/projects/{project}/qc-rules/{rule_id}"): "manage",
    ("GET", "/projects/{project}/qc-rules"): "read",
    # Accounts, tokens and flytekit's token endpoint. Their own handlers judge what they are
    # given (a password, an invitation, client credentials), so those answer everyone alike.
    ("GET", "/login"): "public",
    ("POST", "/login"): "capability",
    ("POST", "/logout"): "public",
    ("GET", "/invite/{token}"): "capability",
    ("POST", "/invite/{token}"): "capability",
    ("POST", "/oauth2/token"): "capability",
    ("GET", "/account"): "signed-in",
    ("POST", "/account/tokens"): "signed-in",
    ("POST", "/account/tokens/{token_id}/revoke"): "signed-in",
    ("GET", "/api/me"): "signed-in",
    ("GET", "/api/tokens"): "signed-in",
    ("POST", "/api/tokens"): "signed-in",
    ("DELETE", "/api/tokens/{token_id}"): "signed-in",
    ("GET", "/workspaces"): "signed-in",
    ("GET", "/api/workspaces"): "signed-in",
    ("POST", "/workspaces"): "site-admin",
    ("POST", "/api/workspaces"): "site-admin",
    ("GET", "/workspaces/{workspace}"): ("workspace", Role.VIEWER),
    ("GET", "/api/workspaces/{workspace}/members"): ("workspace", Role.VIEWER),
    ("POST", "/workspaces/{workspace}/invitations"): ("workspace", Role.ADMIN),
    ("POST", "/workspaces/{workspace}/members/{user_id}"): ("workspace", Role.ADMIN),
    ("PUT", "/api/workspaces/{workspace}/members/{user_id}"): ("workspace", Role.ADMIN),
    ("DELETE", "/api/workspaces/{workspace}/members/{user_id}"): ("workspace", Role.ADMIN),
    ("POST", "/api/workspaces/{workspace}/invitations"): ("workspace", Role.ADMIN),
    # wssecrets
    ("GET", "/api/workspaces/{workspace}/secrets"): ("workspace", Role.ADMIN),
    ("PUT", "/api/workspaces/{workspace}/secrets/{group}/{key}"): ("workspace", Role.ADMIN),
    ("DELETE", "/api/workspaces/{workspace}/secrets/{group}/{key}"): ("workspace", Role.ADMIN),
    ("GET", "/api/workspaces/{workspace}/limits"): ("workspace", Role.VIEWER),
    ("PUT", "/api/workspaces/{workspace}/limits"): "site-admin",
}
PROJECT_ROLE = {"read": Role.VIEWER, "write": Role.MEMBER, "manage": Role.ADMIN}
OWN, FOREIGN = ("lab-a", "pa"), ("lab-b", "pb")
DOMAIN = "development"
WORKFLOW, TASK = "sample.reads.qc_reads", "sample.reads.count_reads"
FILE = "data/reads.fastq"
READS = b"@r1\nACGT\n+\nIIII\n"
# Tables the server writes while it answers, whatever the answer (a token's last use).
UNWATCHED_TABLES = frozenset({"api_tokens", "login_sessions"})


@dataclass(frozen=True)
class Caller:
    name: str
    token: str | None
    workspace: str
    project: str
    role: Role | None  # None: no valid credential (anonymous, expired, revoked)
    foreign: bool = False


@dataclass(frozen=True)
class World:
    server: RunningServer
    callers: list[Caller]
    ids: dict[str, dict[str, str]]
    """Per project: the execution's name, the version, the QC rule's id."""
    admin_tokens: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[World]:
    base = tmp_path_factory.mktemp("matrix")
    server = start_accounts_server(base / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})
    try:
        yield _populate(server, base)
    finally:
        server.stop()


def _populate(server: RunningServer, base: Path) -> World:
    platform = open_platform(Settings(data_dir=server.data_dir, database_url=server.database_url,
                                      register_builtin_workflows=False))  # fmt: skip
    tokens: dict[str, str] = {}
    with platform.db.session() as session:
        for workspace, project in (OWN, FOREIGN):
            add_workspace(session, workspace, project)
        for role in Role:
            user_id = add_person(session, f"{role}@a.example", {"lab-a": role})
            tokens[role.value] = api_token(session, user_id, "lab-a", role)
        boss = add_person(session, "admin@b.example", {"lab-b": Role.ADMIN})
        for name, state in (("b-admin", TokenState.LIVE), ("expired", TokenState.EXPIRED),
                            ("revoked", TokenState.REVOKED)):  # fmt: skip
            tokens[name] = api_token(session, boss, "lab-b", Role.ADMIN, state=state)
        bystander = add_person(session, "nobody@c.example", {})
    ids: dict[str, dict[str, str]] = {}
    store = LocalFileStore(server.data_dir / "store")
    admins = {"pa": tokens["admin"], "pb": tokens["b-admin"]}
    for _, project in (OWN, FOREIGN):
        sample = serialize_sample(base / f"sample-{project}", project=project)
        register_serialized(platform, sample, None, "sample")
        with httpx.Client(base_url=server.url, headers=_bearer(admins[project]), timeout=30) as client:
            assert client.put(f"/api/files/{project}/{FILE}", content=READS).status_code == 201
            reads = store.uri(files_prefix(project) + FILE)
            launched = client.post(f"/api/workflows/{project}/{DOMAIN}/{WORKFLOW}/executions",
                                   json={"inputs": {"sample_name": "s", "reads": reads}})  # fmt: skip
            assert launched.status_code == 201, launched.text
        with platform.db.session() as session:
            # Written as is: the sample workflow has two required inputs, so no rule could be saved.
            rule = QcRuleRow(project=project, kind="fastq", folder_glob="", domain=DOMAIN, workflow=WORKFLOW,
                             enabled=False)  # fmt: skip
            session.add(rule)
            session.flush()
        ids[project] = {"execution": launched.json()["name"], "version": "v1", "rule": str(rule.id), "reads": reads,
                        "bystander": str(bystander)}  # fmt: skip
    platform.db.dispose()
    callers = [Caller(f"{role} of A on A", tokens[role.value], *OWN, role) for role in Role]
    callers += [Caller(f"{role} of A on B", tokens[role.value], *FOREIGN, role, foreign=True) for role in Role]
    callers += [Caller("anonymous", None, *OWN, None), Caller("expired token", tokens["expired"], *FOREIGN, None),
                Caller("revoked token", tokens["revoked"], *FOREIGN, None)]  # fmt: skip
    return World(server, callers, ids, admins)


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path template) the app answers, routers included; static mounts aside."""
    found = set()
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, Mount):
            found |= {(method, context.path) for method in context.methods or ()}
    return found


def test_every_route_has_a_row_in_the_matrix(database: str) -> None:
    routes = app_routes(create_app(Settings()))
    assert sorted(routes - set(EXPECTED)) == [], "add these routes to EXPECTED (and access_rules)"
    assert sorted(set(EXPECTED) - routes) == [], "these rows name routes the app no longer has"


def expected_status(access: str | tuple[str, Role], caller: Caller) -> int | None:
    """The refusal `caller` must get, or None if it is let through."""
    if access in ("public", "capability"):
        return None
    if caller.role is None:
        return 401
    if access == "signed-in":
        return None
    if access == "site-admin":
        return 403  # a token never carries site administration
    # A project's or a workspace's role: the caller's own (A), or B's, which it cannot see.
    needed = access[1] if isinstance(access, tuple) else PROJECT_ROLE[access]
    if caller.foreign:
        return 404
    return None if caller.role.allows(needed) else 403


def fill(template: str, caller: Caller, ids: dict[str, str]) -> str:
    """The route's path with real ids of the caller's project."""
    execution = "/executions/" in template or template.startswith("/api/executions/")
    name = ids["execution"] if execution else TASK if "/tasks/" in template else WORKFLOW
    values = {"project": caller.project, "workspace": caller.workspace, "domain": DOMAIN, "name": name,
              "version": ids["version"], "node_id": "n0", "attempt": "1", "file_id": "1", "member": "x",
              "signal_id": "approve", "path": FILE, "folder": "data", "upload_id": "0" * 32,
              "rule_id": ids["rule"], "key": "x", "expires": "0", "signature": "x", "token": "not-an-invitation",
              "token_id": "0" * 16, "user_id": ids["bystander"], "group": "db"}  # fmt: skip
    path = template
    for param, value in values.items():
        for pattern in (f"{{{param}}}", f"{{{param}:path}}"):
            path = path.replace(pattern, value)
    assert "{" not in path, f"no value for a parameter of {template}"
    return path


def body(method: str, template: str, ids: dict[str, str]) -> dict[str, Any]:
    """A request that would change something if let through."""
    if template.endswith("/qc-rules") or template.endswith("{rule_id}"):
        return {"json": {"kind": "fastq", "workflow": WORKFLOW, "domain": DOMAIN, "folder_glob": "new/*",
                         "parameters": {"sample_name": "qc"}}}  # fmt: skip
    if template.endswith("/executions") and method == "POST":
        return {"json": {"inputs": {"sample_name": "s", "reads": ids["reads"]}}}
    if template.endswith("/launch") and method == "POST":
        return {"data": {"sample_name": "s", "reads": ids["reads"]}}
    if template.endswith(":move"):
        return {"json": {"to": "moved/reads.fastq"}}
    if template.endswith(":kind"):
        return {"json": {"kind": "fasta"}}
    if template.startswith("/api/tus/") and method == "POST":
        return {"headers": {"Tus-Resumable": "1.0.0", "Upload-Length": "4", "Upload-Metadata": "path bmV3LnR4dA=="}}
    if template.startswith("/api/tus/") and method in ("PATCH", "HEAD", "DELETE"):
        return {"headers": {"Tus-Resumable": "1.0.0", "Upload-Offset": "0",
                            "Content-Type": "application/offset+octet-stream"}, "content": b"abcd"}  # fmt: skip
    if "/secrets/" in template and method == "PUT":
        return {"json": {"value": "hunter2"}}
    if template.endswith("/limits"):
        return {"json": {"max_upload_bytes": 1}}
    if "/members/" in template:
        change = {"role": "admin"}  # the bystander made an admin: what a refusal must prevent
        return {} if method == "DELETE" else {"json": change} if template.startswith("/api/") else {"data": change}
    if method == "PUT":
        return {"content": b"replaced"}
    if template.endswith("/signals/{signal_id}"):
        return {"data": {"value": "true"}}
    return {}


def snapshot(server: RunningServer) -> dict[str, str]:
    """A digest of every table's rows (but those touched by any authenticated call) and of the store."""
    engine = create_engine(server.database_url)
    digests = {}
    try:
        with engine.connect() as connection:
            for table in sorted(set(inspect(connection).get_table_names()) - UNWATCHED_TABLES):
                rows = sorted(repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}"')))
                digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    finally:
        engine.dispose()
    store = server.data_dir / "store"
    listing = sorted(f"{p.relative_to(store)}:{p.stat().st_size}" for p in store.rglob("*") if p.is_file())
    digests["store"] = hashlib.sha256("\n".join(listing).encode()).hexdigest()
    return digests


def call(client: httpx.Client, method: str, path: str, caller: Caller, kwargs: dict[str, Any]) -> tuple[int, str]:
    """(status, the JSON error message if any). Streams (server-sent events) are not read."""
    headers = {**kwargs.get("headers", {}), **_bearer(caller.token)}
    rest = {key: value for key, value in kwargs.items() if key != "headers"}
    with client.stream(method, path, headers=headers, **rest) as response:
        if response.headers.get("content-type", "").startswith("application/json"):
            payload = json.loads(response.read() or b"null")
            return response.status_code, payload.get("message", "") if isinstance(payload, dict) else ""
        return response.status_code, ""


def foreign_404(caller: Caller, message: str) -> bool:
    """The access check's answer for what the caller's workspaces do not hold: as if absent."""
    return message in (f"project {caller.project!r} does not exist", f"workspace {caller.workspace!r} does not exist")


@pytest.mark.slow  # one real server for the module
def test_each_caller_gets_exactly_what_the_matrix_says(world: World) -> None:
    failures: list[str] = []
    state_changing = {"POST", "PUT", "PATCH", "DELETE"}
    with httpx.Client(base_url=world.server.url, timeout=30) as client:
        for (method, template), access in sorted(EXPECTED.items(), key=lambda item: item[0][1]):
            # The refused first: what they must not change is still there to not change.
            callers = sorted(world.callers, key=lambda c: expected_status(access, c) is None)
            answers: set[int] = set()
            for caller in callers:
                ids = world.ids[caller.project]
                path, kwargs = fill(template, caller, ids), body(method, template, ids)
                refused = expected_status(access, caller)
                before = snapshot(world.server) if refused and method in state_changing else None
                status, message = call(client, method, path, caller, kwargs)
                answers.add(status)
                where = f"{method} {template} as {caller.name}: {status} {message!r}"
                if refused is not None:
                    if status != refused:
                        failures.append(f"{where}, expected {refused}")
                    elif refused == 404 and method != "HEAD" and not foreign_404(caller, message):
                        failures.append(f"{where}, expected the foreign project's 404")
                    if before is not None and snapshot(world.server) != before:
                        failures.append(f"{where} was refused but changed something")
                elif access != "capability" and (status in (401, 403) or status >= 500 or foreign_404(caller, message)):
                    failures.append(f"{where}, expected to be let through")
            if access == "capability" and len(answers) != 1:
                failures.append(f"{method} {template}: a capability answered differently by caller: {answers}")
    assert failures == [], "\n".join(failures)


@pytest.mark.slow  # one real server for the module
def test_a_login_session_must_echo_its_csrf_token(world: World, database: str) -> None:
    """Cookies are ambient, so a session's change carries its CSRF token (header or form field)."""
    platform = open_platform(Settings(data_dir=world.server.data_dir, database_url=world.server.database_url,
                                      register_builtin_workflows=False))  # fmt: skip
    with platform.db.session() as session:
        member = session.scalar(select(UserRow.id).where(UserRow.email == "member@a.example"))
        cookie = start_session(session, member)
    with platform.db.session() as session:
        csrf = session.get(LoginSessionRow, digest(cookie)).csrf_token
    platform.db.dispose()
    launch = f"/workflows/pa/{DOMAIN}/{WORKFLOW}/launch"
    form = {"sample_name": "s", "reads": world.ids["pa"]["reads"]}
    with httpx.Client(base_url=world.server.url, cookies={"latchlike_session": cookie}, timeout=30) as client:
        before = snapshot(world.server)
        refused = client.post(launch, data=form)
        assert refused.status_code == 403 and "CSRF token" in refused.json()["message"]
        wrong = client.put(f"/api/files/pa/{FILE}", content=b"x", headers={"X-CSRF-Token": "not-it"})
        assert wrong.status_code == 403
        assert snapshot(world.server) == before
        assert client.get(f"/api/files/pa/{FILE}").status_code == 200  # reading needs no token
        launched = client.post(launch, data={**form, CSRF_FIELD: csrf})
        assert launched.status_code == 303, launched.text
        # A multipart form: the field is read from the parsed form, which the handler reads again.
        multipart = client.post(launch, data={**form, CSRF_FIELD: csrf}, files={"unused": ("a.txt", b"a")})
        assert multipart.status_code == 303, multipart.text
        put = client.put(f"/api/files/pa/new/{FILE}", content=b"x", headers={"X-CSRF-Token": csrf})
        assert put.status_code == 201
        # A route whose handler takes `Form()` parameters: FastAPI parsed the form first.
        signal = f"/executions/pa/{DOMAIN}/{world.ids['pa']['execution']}/signals/approve"
        assert client.post(signal, data={"value": "true"}).status_code == 403
        answered = client.post(signal, data={"value": "true", CSRF_FIELD: csrf})
        assert answered.status_code not in (401, 403, 500), answered.text
        foreign = client.get(f"/api/executions/pb/{DOMAIN}/{world.ids['pb']['execution']}")
        assert foreign.status_code == 404


@pytest.mark.slow  # one real server for the module
def test_an_anonymous_page_view_goes_to_the_login_page(world: World) -> None:
    page = f"/workflows/pa/{DOMAIN}/{WORKFLOW}?version=v1"
    answer = httpx.get(world.server.url + page, headers={"Accept": "text/html"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=" + quote(page, safe="")
    api = httpx.get(world.server.url + f"/api/workflows/pa/{DOMAIN}/{WORKFLOW}", headers={"Accept": "text/html"})
    assert api.status_code == 401
    bad_token = httpx.get(world.server.url + page, headers={"Accept": "text/html", "Authorization": "Bearer nope"})
    assert bad_token.status_code == 401


@pytest.mark.slow  # one real server for the module
def test_lists_across_projects_show_only_the_callers_workspace(world: World) -> None:
    """Every cross-project list answers from the projects the caller may read, B's never."""
    member_a = next(c.token for c in world.callers if c.role is Role.MEMBER and not c.foreign)
    for token, own, other in ((member_a, "pa", "pb"), (world.admin_tokens["pb"], "pb", "pa")):
        with httpx.Client(base_url=world.server.url, headers=_bearer(token), timeout=30) as client:
            assert [p["id"] for p in client.get("/api/projects").json()] == [own]
            for listing in ("/api/workflows", "/api/tasks", "/api/launch-plans", "/api/executions"):
                found = {item["project"] for item in client.get(listing).json()}
                assert found == {own}, listing
            assert client.get("/api/workflows", params={"project": other}).json() == []
            # A link to a project is its whole path segment: an execution's random name may
            # begin with the other project's id ("/development/pbstx…").
            linked = re.compile(rf"/({own}|{other})(?=[/\"?#])")
            for page in ("/workflows", "/executions", "/files"):
                html = client.get(page).text
                assert set(linked.findall(html)) == {own}, page
                assert world.ids[other]["execution"] not in html, page


@pytest.mark.slow  # one real server for the module
def test_what_a_principal_does_is_recorded_as_theirs(world: World) -> None:
    """Uploads (PUT, tus, mkdir) and launches (JSON, form, relaunch) record the account that
    made them, whatever the request says."""
    member = next(c.token for c in world.callers if c.role is Role.MEMBER and not c.foreign)
    who = "member@a.example"
    store = LocalFileStore(world.server.data_dir / "store")
    with httpx.Client(base_url=world.server.url, headers=_bearer(member), timeout=30) as client:
        put = client.put("/api/files/pa/mine/reads.fastq", content=READS)
        assert put.status_code == 201 and put.json()["uploaded_by"] == who
        folder = client.post("/api/files/pa/mine/empty:mkdir")
        assert folder.status_code == 201 and folder.json()["uploaded_by"] == who
        tus = {"Tus-Resumable": "1.0.0"}
        made = client.post("/api/tus/pa", headers={**tus, "Upload-Length": "4",
                                                   "Upload-Metadata": "path bWluZS90dXMudHh0"})  # fmt: skip
        assert made.status_code == 201, made.text
        patch_headers = {**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
        assert client.patch(made.headers["location"], content=b"abcd", headers=patch_headers).status_code == 204
        assert client.get("/api/files/pa/mine/tus.txt").json()["uploaded_by"] == who

        reads = store.uri(files_prefix("pa") + "mine/reads.fastq")
        inputs = {"sample_name": "s", "reads": reads}
        launched = client.post(f"/api/workflows/pa/{DOMAIN}/{WORKFLOW}/executions", json={"inputs": inputs})
        assert launched.status_code == 201 and launched.json()["launched_by"] == who
        launch_page = f"/workflows/pa/{DOMAIN}/{WORKFLOW}/launch"
        names = [launched.json()["name"]]
        for query in ("", f"?relaunch={names[0]}"):
            posted = client.post(launch_page + query, data={**inputs, "launched_by": "someone else"})
            assert posted.status_code == 303, posted.text
            names.append(posted.headers["location"].rsplit("/", 1)[1])
        for name in names:
            assert client.get(f"/api/executions/pa/{DOMAIN}/{name}").json()["launched_by"] == who

    # The admin asks for the member's file's QC again: that run is the admin's, not the uploader's.
    admin = next(c.token for c in world.callers if c.role is Role.ADMIN and not c.foreign)
    rerun = httpx.post(f"{world.server.url}/api/files/pa/mine/reads.fastq:qc", headers=_bearer(admin), timeout=30)
    assert rerun.status_code == 202, rerun.text
    engine = create_engine(world.server.database_url)
    try:
        with Session(engine) as session:
            asked = session.scalars(select(TriggerRow.requested_by).where(TriggerRow.force.is_(True))).all()
    finally:
        engine.dispose()
    assert asked == ["admin@a.example"]


@pytest.mark.slow  # one real server for the module
def test_a_first_upload_claims_a_new_project_for_the_uploaders_workspace(world: World) -> None:
    """Files need no registered project, but a project of nobody's would be everybody's: the
    first change makes it, in the caller's workspace, and then it is foreign to the others."""
    member = next(c.token for c in world.callers if c.role is Role.MEMBER and not c.foreign)
    member_a, admin_b = _bearer(member), _bearer(world.admin_tokens["pb"])
    with httpx.Client(base_url=world.server.url, timeout=30) as client:
        assert client.put("/api/files/fresh/a.txt", content=b"a", headers=member_a).status_code == 201
        assert [p["id"] for p in client.get("/api/projects", headers=member_a).json()] == ["fresh", "pa"]
        for method, kwargs in (("GET", {}), ("PUT", {"content": b"b"})):
            refused = client.request(method, "/api/files/fresh/a.txt", headers=admin_b, **kwargs)
            assert (refused.status_code, refused.json()["message"]) == (404, "project 'fresh' does not exist")
