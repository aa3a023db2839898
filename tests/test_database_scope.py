"""The PostgreSQL run selects the tests marked `database`: no test may reach a database without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from latchlike.db import Database
from tests.database_scope import MARKER, REFUSED_URL, UnmarkedDatabaseUse
from tests.server import REPO, start_server

OPEN_FROM_SETTINGS = (
    "from latchlike.config import Settings; from latchlike.db import Database; "
    "Database(Settings().resolved_database_url).engine.connect()"
)


def test_an_unmarked_test_cannot_open_a_database_here_or_in_its_processes(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    assert request.node.get_closest_marker(MARKER) is None
    with pytest.raises(UnmarkedDatabaseUse, match="must request the `database` fixture"):
        Database(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(UnmarkedDatabaseUse, match="started a server"):
        start_server(tmp_path / "data")
    assert os.environ["LATCHLIKE_DATABASE_URL"] == REFUSED_URL
    env = {**os.environ, "PYTHONPATH": str(REPO), "LATCHLIKE_DATA_DIR": str(tmp_path / "data")}
    opened = subprocess.run([sys.executable, "-c", OPEN_FROM_SETTINGS], env=env, capture_output=True, text=True)
    assert opened.returncode != 0 and "a-test-not-marked-database-opened-a-database" in opened.stderr


def test_requesting_the_database_fixture_marks_the_test_and_opens_the_door(
    request: pytest.FixtureRequest, tmp_path: Path, database: str
) -> None:
    assert request.node.get_closest_marker(MARKER) is not None
    assert os.environ.get("LATCHLIKE_DATABASE_URL") != REFUSED_URL
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        db.dispose()


def test_a_fixture_that_requests_it_marks_every_test_that_uses_the_fixture(
    request: pytest.FixtureRequest, data_dir: Path
) -> None:
    assert request.node.get_closest_marker(MARKER) is not None
