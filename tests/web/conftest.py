from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server import RunningServer, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    """These tests look at what pages and forms show and record: the engine stays off, so
    an execution stays exactly as the form left it. Running is tests/engine's job."""
    running = start_server(tmp_path_factory.mktemp("server") / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})
    yield running
    running.stop()
