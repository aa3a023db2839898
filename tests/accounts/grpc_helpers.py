"""Accounts-mode helpers for the gRPC and flytekit tests: two workspaces with a project each,
a user of each role in workspace A (and a member of B), and tokens for each, including an
expired and a revoked one. (webauth's `fixtures.py` may absorb these after merge.)"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from latchlike.accounts.principal import Principal
from latchlike.accounts.roles import Role
from latchlike.accounts.tables import ApiTokenRow
from latchlike.accounts.tokens import issue_token, revoke_token
from latchlike.accounts.users import create_user, create_workspace, set_membership
from latchlike.db import Database, utcnow
from latchlike.specs.projects import ensure_project
from tests.server import RunningServer, start_server

WORKSPACE_A, WORKSPACE_B = "lab-a", "lab-b"
PROJECT_A, PROJECT_B = "pa", "pb"
ACCOUNTS = {"LATCHLIKE_AUTH": "accounts"}


@dataclass(frozen=True)
class Tokens:
    """API tokens by who holds them: `admin`, `member`, `viewer` (of A), `member_b`, `expired`, `revoked`."""

    by_name: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.by_name[name]


def seed(db: Database) -> Tokens:
    """Workspaces A and B, projects `pa` (A) and `pb` (B), users and their tokens."""
    day = timedelta(days=1)
    tokens: dict[str, str] = {}
    with db.session() as session:
        for workspace, project in ((WORKSPACE_A, PROJECT_A), (WORKSPACE_B, PROJECT_B)):
            create_workspace(session, workspace_id=workspace)
            ensure_project(session, project_id=project, workspace=workspace)
        users = [(role.value, WORKSPACE_A, role) for role in Role] + [("member_b", WORKSPACE_B, Role.MEMBER)]
        for name, workspace, role in users:
            user = create_user(session, email=f"{name}@lab.example", password="correct horse battery")
            set_membership(session, workspace=workspace, user_id=user.id, role=role)
            tokens[name] = issue_token(session, user_id=user.id, workspace=workspace, role=role, name=name,
                                       lifetime=day).token  # fmt: skip
            if name == "member":
                expired = issue_token(session, user_id=user.id, workspace=workspace, role=role, name="old",
                                      lifetime=day)  # fmt: skip
                revoked = issue_token(session, user_id=user.id, workspace=workspace, role=role, name="gone",
                                      lifetime=day)  # fmt: skip
                tokens["expired"], tokens["revoked"] = expired.token, revoked.token
                session.execute(update(ApiTokenRow).where(ApiTokenRow.id == expired.info.id)
                                .values(expires_at=utcnow() - timedelta(minutes=1)))  # fmt: skip
                owner = Principal(name=user.email, via="session", user_id=user.id)
                revoke_token(session, owner, revoked.info.id)
    return Tokens(tokens)


def start_accounts_server(data_dir: Path) -> tuple[RunningServer, Tokens]:
    """A real `latchlike serve` with accounts, seeded (the server has migrated the database)."""
    server = start_server(data_dir, builtins=False, env=ACCOUNTS)
    db = Database(server.database_url)
    try:
        return server, seed(db)
    finally:
        db.dispose()


def token_config(server: RunningServer, token: str | None, *, home: Path) -> Path:
    """`latchlike config flytekit [--token]` written for `server`; the secret file goes below `home`."""
    path = home / f"flytekit-{server.grpc_port}-{(token or 'none')[:12]}.yaml"
    command = [sys.executable, "-m", "latchlike", "config", "flytekit", "--grpc-port", str(server.grpc_port),
               "--http-port", str(server.http_port), "--host", "127.0.0.1", "--output", str(path)]  # fmt: skip
    if token is not None:
        command += ["--token", token, "--secret-file", str(home / f"{token[:12]}.secret")]
    subprocess.run(command, check=True, capture_output=True, text=True, env={**os.environ, "HOME": str(home)})
    return path
