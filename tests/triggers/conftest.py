"""The JSON API of the real server (engine, built-in workflows, triggers) that tests/conftest.py
starts per test module."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.server import RunningServer


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api/", timeout=60) as client:
        yield client
