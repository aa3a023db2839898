"""Shared helpers of accounts-mode tests: a server with LATCHLIKE_AUTH=accounts, people of
every role in two workspaces, their API tokens, and an httpx client signed in as one of them.

People are written straight into the server's database (as `latchlike users add` does), so a
test sets up in milliseconds and the server reads them at the next request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from latchlike.accounts.roles import Role
from latchlike.accounts.tokens import issue_token
from latchlike.accounts.users import create_user, create_workspace, set_membership
from latchlike.db import Database, migrate
from latchlike.specs import service
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import ResourceKind
from latchlike.specs.projects import ensure_project
from tests.samples import SerializedSample
from tests.server import RunningServer, start_server

PASSWORD = "correct horse battery staple"
WORKSPACE_A, WORKSPACE_B = "lab-a", "lab-b"
PROJECT_A, PROJECT_B = "proj-a", "proj-b"
ADMIN = "admin@example.org"
"""A site administrator, member of no workspace."""
OUTSIDER = "member@b.example"
"""A member of `WORKSPACE_B` only."""


def email_of(role: Role) -> str:
    """The person holding `role` in `WORKSPACE_A`."""
    return f"{role}@a.example"


@dataclass(frozen=True)
class People:
    ids: dict[str, int]
    """email → user id."""


def start_accounts_server(
    data_dir: Path, *, builtins: bool = False, env: dict[str, str] | None = None
) -> RunningServer:
    return start_server(data_dir, builtins=builtins, env={"LATCHLIKE_AUTH": "accounts", **(env or {})})


def populate(database_url: str) -> People:
    """Workspaces A and B, each with one project; a viewer, member and admin of A, a member of
    B (`OUTSIDER`) and a site admin (`ADMIN`), all with `PASSWORD`."""
    db = _open(database_url)
    try:
        with db.session() as session:
            ids = {}
            for workspace, project in ((WORKSPACE_A, PROJECT_A), (WORKSPACE_B, PROJECT_B)):
                create_workspace(session, workspace_id=workspace)
                ensure_project(session, project_id=project, workspace=workspace)
            for role in Role:
                ids[email_of(role)] = add_person(session, email_of(role), {WORKSPACE_A: role})
            ids[OUTSIDER] = add_person(session, OUTSIDER, {WORKSPACE_B: Role.MEMBER})
            ids[ADMIN] = create_user(session, email=ADMIN, password=PASSWORD, site_admin=True).id
        return People(ids)
    finally:
        db.dispose()


def add_person(session: Session, email: str, roles: dict[str, Role]) -> int:
    user = create_user(session, email=email, password=PASSWORD)
    for workspace, role in roles.items():
        set_membership(session, workspace=workspace, user_id=user.id, role=role)
    return user.id


def api_token(database_url: str, user_id: int, workspace: str, role: Role, *, days: int = 1) -> str:
    db = _open(database_url)
    try:
        with db.session() as session:
            return issue_token(session, user_id=user_id, workspace=workspace, role=role, name="test",
                               lifetime=timedelta(days=days)).token  # fmt: skip
    finally:
        db.dispose()


def signed_in(url: str, email: str, password: str = PASSWORD) -> tuple[httpx.Client, str]:
    """An httpx client holding `email`'s login cookie, and the session's CSRF token (read
    from the page's `<meta name="csrf-token">`, as scripts do)."""
    client = httpx.Client(base_url=url, timeout=30)
    answer = client.post("/login", data={"email": email, "password": password, "next": "/account"})
    assert answer.status_code == 303, answer.text
    page = client.get("/account")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found, page.text
    return client, found.group(1)


def _open(database_url: str) -> Database:
    db = Database(database_url)
    migrate(db.engine)
    return db


def register_sample(database_url: str, sample: SerializedSample) -> None:
    """Register serialized tasks, workflows and launch plans straight into a running server's
    database (no gRPC: that needs a token in accounts mode), as `--copy none` would."""
    db = _open(database_url)
    try:
        with db.session() as session:
            for task in sample.tasks:
                service.register_task(session, task_id=entity_id(task.template.id, ResourceKind.TASK), spec=task)
            for flow in sample.workflows:
                flow_id = entity_id(flow.template.id, ResourceKind.WORKFLOW)
                service.register_workflow(session, workflow_id=flow_id, spec=flow, sources=None)
            for plan in sample.launch_plans:
                plan_id = entity_id(plan.id, ResourceKind.LAUNCH_PLAN)
                service.register_launch_plan(session, launch_plan_id=plan_id, spec=plan.spec)
    finally:
        db.dispose()
