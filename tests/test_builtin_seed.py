"""Test servers start on a database that has the built-in workflows (tests/builtin_seed.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.server import start_server

HELLO = "/api/workflows/flytesnacks/development/workflows.hello.hello_world"
REGISTERED = "registered built-in workflows"
"""What a server logs when it serializes and registers the built-ins itself."""


@pytest.mark.slow
def test_a_server_finds_the_builtins_in_its_database_and_another_project_gets_them_at_start(
    tmp_path: Path, database: str
) -> None:
    seeded = start_server(tmp_path / "seeded")
    try:
        assert httpx.get(seeded.url + HELLO).status_code == 200
        assert REGISTERED not in seeded.log()
    finally:
        seeded.stop()
    elsewhere = start_server(tmp_path / "elsewhere", env={"LATCHLIKE_DEFAULT_PROJECT": "lab"})
    try:
        assert httpx.get(elsewhere.url + HELLO.replace("flytesnacks", "lab")).status_code == 200
        assert httpx.get(elsewhere.url + HELLO).status_code == 404
        assert REGISTERED in elsewhere.log()
    finally:
        elsewhere.stop()
