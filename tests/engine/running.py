"""Launch a registered workflow and drive the engine over it until it ends, in the test's
own process (the engine tests that need no server)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from flyteidl.core import literals_pb2
from sqlalchemy import select

from latchlike.engine.executors import Executor
from latchlike.engine.executors.local import LocalExecutor
from latchlike.engine.loop import Engine
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow
from latchlike.files.catalog import StoreCatalog
from latchlike.launches.forms import launch_form
from latchlike.launches.service import launch_from_json
from latchlike.platform import Platform
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from tests.samples import FIXTURES
from tests.server import RunningServer

ENGINE_PROJECT = FIXTURES / "engine_project"
TIMEOUT_SECONDS = 90


def launch(platform: Platform, workflow: str, inputs: dict[str, object]) -> ExecutionKey:
    with platform.db.session() as session:
        form = launch_form(session, NamedEntityKey(ResourceKind.WORKFLOW, "flytesnacks", "development", workflow))
        catalog = StoreCatalog(platform.store, "flytesnacks")
        result = launch_from_json(session, form, inputs, catalog, store=platform.store)
    assert result.execution is not None, result.errors
    return result.execution


def run_until_done(
    platform: Platform, key: ExecutionKey, *, warm: bool = False, executor: Executor | None = None
) -> ExecutionRow:
    chosen = executor or LocalExecutor(platform.settings.data_dir, max_parallel=4, warm=warm)

    async def drive() -> None:
        engine = Engine(platform, chosen, poll_seconds=0.05)
        deadline = time.monotonic() + TIMEOUT_SECONDS
        try:
            while time.monotonic() < deadline:
                await engine.step()
                if execution_row(platform, key).phase in ("SUCCEEDED", "FAILED"):
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"{key} did not finish in {TIMEOUT_SECONDS} s")
        finally:
            await engine.stop()
            await chosen.close()

    asyncio.run(drive())
    return execution_row(platform, key)


def execution_row(platform: Platform, key: ExecutionKey) -> ExecutionRow:
    with platform.db.session() as session:
        row = session.scalars(select(ExecutionRow).where(ExecutionRow.name == key.name)).one()
        session.expunge(row)
        return row


def attempts(platform: Platform, execution: ExecutionRow) -> list[tuple[str, int, str]]:
    with platform.db.session() as session:
        rows = session.scalars(
            select(NodeExecutionRow)
            .where(NodeExecutionRow.execution_id == execution.id)
            .order_by(NodeExecutionRow.node_id, NodeExecutionRow.attempt)
        )
        return [(row.node_id, row.attempt, row.phase) for row in rows]


def int_output(execution: ExecutionRow) -> int:
    assert execution.outputs is not None
    return int(literals_pb2.LiteralMap.FromString(execution.outputs).literals["o0"].scalar.primitive.integer)


# The same through a running server's JSON API.


def launch_over_http(server: RunningServer, workflow: str, inputs: dict[str, Any]) -> str:
    response = httpx.post(
        f"{server.url}/api/workflows/flytesnacks/development/{workflow}/executions", json={"inputs": inputs}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["name"])


def wait_over_http(server: RunningServer, name: str, until: Any) -> dict[str, Any]:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        execution: dict[str, Any] = httpx.get(f"{server.url}/api/executions/flytesnacks/development/{name}").json()
        if until(execution):
            return execution
        if execution["phase"] == "FAILED":
            raise AssertionError(f"{name} failed: {execution['error']}\n{server.log()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"{name} never got there: {execution}\n{server.log()[-3000:]}")
