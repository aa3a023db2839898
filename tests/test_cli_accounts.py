"""The server-side account commands and `serve`'s refusal to run without accounts on a
non-loopback address, run as a person runs them: the real `latchlike` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from latchlike.accounts.login import LoginLimiter, log_in
from latchlike.accounts.sessions import principal_of_session
from latchlike.config import Settings
from latchlike.db import Database

PASSWORD = "correct horse battery"


def _latchlike(*args: str, data_dir: Path, stdin: str = "", env: dict[str, str] | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:  # fmt: skip
    environment = {key: value for key, value in os.environ.items() if key not in ("LATCHLIKE_AUTH", "LATCHLIKE_HOST")}
    environment |= {"LATCHLIKE_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run([sys.executable, "-m", "latchlike", *args], input=stdin, capture_output=True, text=True,
                          env=environment, timeout=timeout)  # fmt: skip


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20"])
def test_serve_without_accounts_refuses_a_non_loopback_host(tmp_path: Path, host: str) -> None:
    ran = _latchlike("serve", "--host", host, "--http-port", "0", "--grpc-port", "0", data_dir=tmp_path, timeout=30)
    assert ran.returncode != 0
    assert f"refusing to listen on {host} without accounts" in ran.stderr
    assert "LATCHLIKE_AUTH=accounts" in ran.stderr and "latchlike users add" in ran.stderr
    assert not (tmp_path / "latchlike.db").exists()  # it stopped before opening anything


def test_users_add_creates_an_account_that_can_sign_in(tmp_path: Path, database: str) -> None:
    assert _latchlike("workspaces", "add", "lab", data_dir=tmp_path).returncode == 0
    added = _latchlike("users", "add", "Ada@Example.org", "--admin", "--workspace", "lab", "--role", "admin",
                       "--password-stdin", data_dir=tmp_path, stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "account ada@example.org created (site admin), admin of lab" in added.stdout
    again = _latchlike("users", "add", "ada@example.org", "--password-stdin", data_dir=tmp_path, stdin=PASSWORD)
    assert again.returncode != 0 and "already exists" in again.stderr
    short = _latchlike("users", "add", "bo@example.org", "--password-stdin", data_dir=tmp_path, stdin="short\n")
    assert short.returncode != 0 and "at least 10 characters" in short.stderr
    nowhere = _latchlike("users", "add", "cy@example.org", "--workspace", "nope", "--password-stdin",
                         data_dir=tmp_path, stdin=PASSWORD)  # fmt: skip
    assert nowhere.returncode != 0 and "workspace 'nope' does not exist" in nowhere.stderr

    db = Database(Settings(data_dir=tmp_path).resolved_database_url)
    try:
        with db.session() as session:
            done = log_in(session, LoginLimiter(), email="ada@example.org", password=PASSWORD, client="c")
            principal = principal_of_session(session, done.cookie)
        assert principal is not None and principal.site_admin and principal.roles == {"lab": "admin"}
        with db.session() as session:
            assert session.execute(text("select count(*) from users")).scalar() == 1  # cy was not half-made
    finally:
        db.dispose()
