"""A real server (engine, built-in workflows, triggers) per test module, and its JSON API."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.server import RunningServer, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data")
    yield running
    running.stop()


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api/", timeout=60) as client:
        yield client
