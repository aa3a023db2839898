"""The one way accounts-mode tests start a server with LATCHLIKE_AUTH=accounts and make people
in it: a workspace with its project, a person with memberships, an API token (live, expired
or revoked). `populate` makes the usual cast of two workspaces; `signed_in` gives an httpx
client with a person's login cookie; `token_config` writes pyflyte's config for a token.

People are written straight into the server's database (as `latchlike users add` does), so a
test sets up in milliseconds and the server reads them at the next request."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from pathlib import Path

import httpx
from sqlalchemy import update
from sqlalchemy.orm import Session

from latchlike.accounts.principal import LOCAL
from latchlike.accounts.roles import Role
from latchlike.accounts.tables import ApiTokenRow
from latchlike.accounts.tokens import issue_token, revoke_token
from latchlike.accounts.users import create_user, create_workspace, set_membership
from latchlike.db import Database, utcnow
from latchlike.specs.projects import ensure_project
from tests.samples import SerializedSample
from tests.server import RunningServer, start_server
from tests.ui_gen.registry import register_into

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


class TokenState(Enum):
    LIVE = "live"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class People:
    """Who `populate` made."""

    ids: dict[str, int]
    """email → user id."""
    tokens: dict[str, str]
    """API tokens by who holds them: `admin`, `member`, `viewer` (of A, with that role),
    `outsider` (member of B), and the member of A's `expired` and `revoked` ones."""


@contextmanager
def accounts_server(
    data_dir: Path, *, builtins: bool = False, env: dict[str, str] | None = None
) -> Iterator[tuple[RunningServer, People]]:
    """A real `latchlike serve` with accounts, populated; stopped when the block ends."""
    server = start_accounts_server(data_dir, builtins=builtins, env=env)
    try:
        with opened(server.database_url) as db:
            people = populate(db)
        yield server, people
    finally:
        server.stop()


def start_accounts_server(
    data_dir: Path, *, builtins: bool = False, env: dict[str, str] | None = None
) -> RunningServer:
    """A real `latchlike serve` with accounts and nobody in it yet (for a cast of one's own)."""
    return start_server(data_dir, builtins=builtins, env={"LATCHLIKE_AUTH": "accounts", **(env or {})})


@contextmanager
def opened(database_url: str) -> Iterator[Database]:
    """The database of a running server (which has migrated it), closed when the block ends."""
    db = Database(database_url)
    try:
        yield db
    finally:
        db.dispose()


def populate(db: Database) -> People:
    """Workspaces A and B, each with one project; a viewer, member and admin of A, a member of
    B (`OUTSIDER`) and a site admin (`ADMIN`), all with `PASSWORD`; a token of each member of
    a workspace with their role there, and an expired and a revoked token of A's member."""
    with db.session() as session:
        add_workspace(session, WORKSPACE_A, PROJECT_A)
        add_workspace(session, WORKSPACE_B, PROJECT_B)
        ids, tokens = {}, {}
        for role in Role:
            ids[email_of(role)] = add_person(session, email_of(role), {WORKSPACE_A: role})
            tokens[role.value] = api_token(session, ids[email_of(role)], WORKSPACE_A, role)
        ids[OUTSIDER] = add_person(session, OUTSIDER, {WORKSPACE_B: Role.MEMBER})
        tokens["outsider"] = api_token(session, ids[OUTSIDER], WORKSPACE_B, Role.MEMBER)
        ids[ADMIN] = create_user(session, email=ADMIN, password=PASSWORD, site_admin=True).id
        member = ids[email_of(Role.MEMBER)]
        for state in (TokenState.EXPIRED, TokenState.REVOKED):
            tokens[state.value] = api_token(session, member, WORKSPACE_A, Role.MEMBER, state=state)
    return People(ids, tokens)


def add_workspace(session: Session, workspace: str, project: str) -> None:
    create_workspace(session, workspace_id=workspace)
    ensure_project(session, project_id=project, workspace=workspace)


def add_person(session: Session, email: str, roles: dict[str, Role]) -> int:
    """A person with `PASSWORD` and a role in each of `roles`' workspaces; their user id."""
    user = create_user(session, email=email, password=PASSWORD)
    for workspace, role in roles.items():
        set_membership(session, workspace=workspace, user_id=user.id, role=role)
    return user.id


def api_token(
    session: Session, user_id: int, workspace: str, role: Role, *, state: TokenState = TokenState.LIVE
) -> str:
    """A day-long token of `user_id` for `workspace`, or one that expired a minute ago, or a
    revoked one."""
    issued = issue_token(session, user_id=user_id, workspace=workspace, role=role, name=f"test-{state.value}",
                         lifetime=timedelta(days=1))  # fmt: skip
    if state is TokenState.EXPIRED:
        session.execute(update(ApiTokenRow).where(ApiTokenRow.id == issued.info.id)
                        .values(expires_at=utcnow() - timedelta(minutes=1)))  # fmt: skip
    elif state is TokenState.REVOKED:
        revoke_token(session, LOCAL, issued.info.id)  # the local admin may revoke anyone's
    return issued.token


def token_id(token: str) -> str:
    """The public id part of `llt_<id>.<secret>`."""
    return token.removeprefix("llt_").split(".", 1)[0]


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


def token_config(server: RunningServer, token: str | None, *, home: Path) -> Path:
    """`latchlike config flytekit [--token]` written for `server`; the secret file goes below `home`."""
    path = home / f"flytekit-{server.grpc_port}-{(token or 'none')[:12]}.yaml"
    command = [sys.executable, "-m", "latchlike", "config", "flytekit", "--grpc-port", str(server.grpc_port),
               "--http-port", str(server.http_port), "--host", "127.0.0.1", "--output", str(path)]  # fmt: skip
    if token is not None:
        command += ["--token", token, "--secret-file", str(home / f"{token[:12]}.secret")]
    subprocess.run(command, check=True, capture_output=True, text=True, env={**os.environ, "HOME": str(home)})
    return path


def register_sample(database_url: str, sample: SerializedSample) -> None:
    """Register serialized tasks, workflows and launch plans straight into a running server's
    database (no gRPC: that needs a token in accounts mode), as `--copy none` would."""
    with opened(database_url) as db, db.session() as session:
        register_into(session, sample, None)
