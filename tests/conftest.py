from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from latchlike.config import Settings
from latchlike.platform import Platform, open_platform
from tests import database_scope, postgres
from tests.engine.running import ENGINE_PROJECT
from tests.samples import SerializedSample, serialize_sample
from tests.server import RunningServer, start_server
from tests.ui_gen.registry import register_serialized


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", postgres.POSTGRESQL),
        default=None,
        help=f"database the tests run on (default: ${postgres.SELECTOR}, else sqlite)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Servers and CLI processes the tests start read the choice from the environment too.
    chosen = config.getoption("--db")
    if chosen is not None:
        os.environ[postgres.SELECTOR] = chosen
    config.addinivalue_line("markers", f"{database_scope.MARKER}: {database_scope.HINT} (set by collection)")
    database_scope.guard_engines()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    database_scope.mark(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    with database_scope.running(item):
        return (yield)


def pytest_report_header() -> str:
    return f"database: {postgres.POSTGRESQL if postgres.selected() else 'sqlite'}"


@pytest.fixture(scope="session")
def database() -> str:
    """The door to every database a test makes: requesting it (directly or through a fixture)
    marks the test `database`, which the PostgreSQL run selects. Which database the run uses."""
    return postgres.POSTGRESQL if postgres.selected() else "sqlite"


@pytest.fixture(autouse=True)
def _database_of_the_test(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str | None]:
    """On a PostgreSQL run, each test marked `database` gets a database of its own, which every
    `Settings` it makes (and every process it starts) picks up through `LATCHLIKE_DATABASE_URL`."""
    if not postgres.selected() or request.node.get_closest_marker(database_scope.MARKER) is None:
        yield None
        return
    url = postgres.cluster().create_database()
    monkeypatch.setenv("LATCHLIKE_DATABASE_URL", url)
    yield url
    postgres.cluster().drop_database(url)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    """A real `latchlike serve` with the built-in workflows, shared by a test module."""
    running = start_server(tmp_path_factory.mktemp("server") / "data")
    yield running
    running.stop()


@pytest.fixture
def data_dir(tmp_path: Path, database: str) -> Path:
    """A server's or platform's data directory; its database is the test's."""
    return tmp_path / "data"


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SerializedSample:
    return serialize_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def platform(data_dir: Path) -> Iterator[Platform]:
    """The real platform parts (the test's database, local store) in a temp dir, without servers."""
    opened = open_platform(Settings(data_dir=data_dir, register_builtin_workflows=False))
    yield opened
    opened.db.dispose()


# The engine's test package (`pipelines`), serialized once per module and registered.


@pytest.fixture(scope="module")
def pipelines(tmp_path_factory: pytest.TempPathFactory) -> SerializedSample:
    return serialize_sample(tmp_path_factory.mktemp("pipelines"), project_dir=ENGINE_PROJECT, package="pipelines")


@pytest.fixture
def registered(platform: Platform, pipelines: SerializedSample, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    # Task processes import the workflow's module, as an image with the code would.
    monkeypatch.setenv("PYTHONPATH", str(ENGINE_PROJECT))
    register_serialized(platform, pipelines, ENGINE_PROJECT / "pipelines", "pipelines")
    yield platform
