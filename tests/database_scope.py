"""Which tests reach a database, read from their fixtures, and the guard that holds them to it.

A test reaches a database only through the session fixture `database` (requested directly or
through `data_dir`, `platform`, `server`, ...): collection marks every test whose fixture closure
holds it with the `database` marker, and the PostgreSQL run (`-m database`) runs exactly those;
the rest give the same answer on any database. While an unmarked test runs, opening a database
fails loudly: in this process (`latchlike.db.make_engine`, `start_server`) and in the processes
the test starts (their `LATCHLIKE_DATABASE_URL` names the mistake). So a test cannot reach a
database unseen, pass on SQLite and be skipped on PostgreSQL. Only a process started with an
environment the test wrote itself, no `LATCHLIKE_` variable kept (the README set-up, the
benchmarks), chooses its own database: the same one on both runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import latchlike.db

FIXTURE = MARKER = "database"
ENVIRONMENT = "LATCHLIKE_DATABASE_URL"
REFUSED_URL = "postgresql+psycopg://refused@/refused?host=/a-test-not-marked-database-opened-a-database"
"""What an unmarked test's processes find: connecting fails, naming the cause in the error."""
HINT = (
    f"a test that reaches a database must request the `{FIXTURE}` fixture (or one that does: "
    "data_dir, platform, server, ...), so that the PostgreSQL run selects it; see tests/database_scope.py"
)


class UnmarkedDatabaseUse(RuntimeError):
    """A test opened a database without the fixture that marks it as one that does."""


_running_marked = True
"""Whether the test now running (set-up to tear-down) is marked: outside tests, anything goes."""


def mark(items: list[pytest.Item]) -> None:
    """Mark every collected test whose fixture closure holds the database fixture."""
    for item in items:
        if FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(MARKER)


def refuse_unless_marked(what: str) -> None:
    """Raise when the running test is not marked `database`; call it where a database is made."""
    if not _running_marked:
        raise UnmarkedDatabaseUse(f"{what}: {HINT}")


@contextmanager
def running(item: pytest.Item) -> Iterator[None]:
    """While `item` runs: unmarked, its database openings are refused here and in its processes."""
    global _running_marked
    marked = item.get_closest_marker(MARKER) is not None
    before = os.environ.get(ENVIRONMENT)
    if not marked:
        os.environ[ENVIRONMENT] = REFUSED_URL
    _running_marked = marked
    try:
        yield
    finally:
        _running_marked = True
        if before is None:
            os.environ.pop(ENVIRONMENT, None)
        else:
            os.environ[ENVIRONMENT] = before


def guard_engines() -> None:
    """Route every engine this process makes through the refusal (`Database` calls `make_engine`)."""
    original: Callable[..., Any] = latchlike.db.make_engine

    def make_engine(url: str, *args: Any, **kwargs: Any) -> Any:
        refuse_unless_marked(f"opened the database {url.split('@')[-1]}")
        return original(url, *args, **kwargs)

    latchlike.db.make_engine = make_engine  # type: ignore[assignment]
