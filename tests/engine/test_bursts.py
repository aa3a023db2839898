"""A burst of launches is taken on in short engine steps, oldest first, so launches that
arrive meanwhile get the database's write turn between them (bench/burst.py measures it)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from latchlike.engine.executors import RunResult, TaskRun
from latchlike.engine.loop import NEW_PER_STEP, Engine
from latchlike.executions.tables import ExecutionRow
from latchlike.platform import Platform
from tests.engine.running import launch


class Parked:
    """An executor whose attempts never end: the test looks only at what the engine starts."""

    def __init__(self) -> None:
        self.started: list[str] = []

    async def run(self, run: TaskRun) -> RunResult:
        self.started.append(run.key)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def cancel(self, key: str) -> None:
        return None

    async def sweep(self, active: object) -> None:
        return None

    def log(self, key: str) -> str:
        return ""

    async def close(self) -> None:
        return None


def _started_names(platform: Platform) -> list[str]:
    with platform.db.session() as session:
        rows = session.scalars(
            select(ExecutionRow.name).where(ExecutionRow.phase == "RUNNING").order_by(ExecutionRow.id)
        )
        return list(rows)


def test_a_burst_is_taken_on_a_few_executions_per_step_oldest_first(registered: Platform) -> None:
    launched = [launch(registered, "pipelines.basic.fan", {"x": i}).name for i in range(NEW_PER_STEP * 2 + 3)]
    executor = Parked()

    async def two_steps() -> tuple[list[str], list[str]]:
        engine = Engine(registered, executor)
        try:
            await engine.step()
            first = _started_names(registered)
            await engine.step()
            return first, _started_names(registered)
        finally:
            await engine.stop()

    first, second = asyncio.run(two_steps())
    assert first == launched[:NEW_PER_STEP]
    assert second == launched[: NEW_PER_STEP * 2]
