"""A burst of launches queues instead of failing: every request answers, none with a 5xx,
and every launch is recorded. Not timed: how fast a burst goes is bench/burst.py's job."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from latchlike.db import Database
from latchlike.executions.tables import ExecutionRow
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
BURST = 200
HELLO = "/workflows/flytesnacks/development/workflows.hello.hello_world"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    """Engine on: launches compete with the engine's own transactions, as in production."""
    running = start_server(tmp_path_factory.mktemp("bursts") / "data")
    yield running
    running.stop()


async def _burst(server: RunningServer) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=BURST)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=300) as client:

        async def json_launch(i: int) -> httpx.Response:
            return await client.post(f"/api{HELLO}/executions", json={"inputs": {"name": f"json-{i}"}})

        async def form_launch(i: int) -> httpx.Response:
            return await client.post(f"{HELLO}/launch", data={"name": f"form-{i}"})

        launches = [json_launch(i) if i % 2 else form_launch(i) for i in range(BURST)]
        return await asyncio.gather(*launches)


def test_a_burst_of_launches_is_all_accepted_and_recorded(server: RunningServer) -> None:
    responses = asyncio.run(_burst(server))
    statuses = sorted({r.status_code for r in responses})
    assert statuses == [201, 303], [r.text[:200] for r in responses if r.status_code >= 400][:3]
    names = {r.json()["name"] for r in responses if r.status_code == 201}
    names |= {r.headers["location"].rsplit("/", 1)[1] for r in responses if r.status_code == 303}
    assert len(names) == BURST
    db = Database(server.database_url)
    with db.session() as session:
        recorded = set(session.scalars(select(ExecutionRow.name).where(ExecutionRow.name.in_(names))))
    db.dispose()
    assert recorded == names
