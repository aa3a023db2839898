"""An attempt whose `outputs.pb` was cut short as it was written (the task process killed
mid-write) is a crash, retried from the platform's budget with a message saying so — both
when its process ends under the engine and when the engine adopts it after a restart.
Every attempt but the cut-short one runs for real."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2
from google.protobuf.message import DecodeError
from sqlalchemy import select

from latchlike.engine.executors import RunResult, TaskRun
from latchlike.engine.executors.local import LocalExecutor
from latchlike.engine.loop import Engine
from latchlike.executions.tables import NodeExecutionRow
from latchlike.platform import Platform
from latchlike.store.keys import attempt_prefix
from tests.engine.running import attempts, int_output, launch, run_until_done

pytestmark = pytest.mark.slow
WORKFLOW = "pipelines.basic.fan"  # x → 2x → (4x, 4x) → 8x; n0 is the first `double`


def cut_short(platform: Platform, execution: str, staging: Path) -> None:
    """Half of the `outputs.pb` n0's first attempt would write for x = 3."""
    six = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=6)))
    whole = literals_pb2.LiteralMap(literals={"o0": six}).SerializeToString()
    half = whole[: len(whole) // 2]
    with pytest.raises(DecodeError):
        literals_pb2.LiteralMap.FromString(half)  # what the engine meets really does not parse
    staged = staging / "outputs.pb"
    staged.write_bytes(half)
    platform.store.put_file(attempt_prefix("flytesnacks", "development", execution, "n0", 1) + "/outputs.pb", staged)


def _first_of_n0(run: TaskRun) -> bool:
    return run.labels["node"] == "n0" and run.env["FLYTE_ATTEMPT_NUMBER"] == "0"


class CutShort(LocalExecutor):
    """Runs attempts for real, but n0's first one "dies while writing": half an outputs.pb, exit 0."""

    def __init__(self, platform: Platform, staging: Path) -> None:
        super().__init__(platform.settings.data_dir, max_parallel=4)
        self.platform, self.staging = platform, staging

    async def run(self, run: TaskRun) -> RunResult:
        if not _first_of_n0(run):
            return await super().run(run)
        cut_short(self.platform, run.labels["execution"], self.staging)
        return RunResult(run.key, 0, None)


class Hangs(LocalExecutor):
    """n0's first attempt runs until the engine stops (the server goes away mid-task)."""

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform.settings.data_dir, max_parallel=4)
        self.started = asyncio.Event()

    async def run(self, run: TaskRun) -> RunResult:
        assert _first_of_n0(run), run.key
        self.started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def test_outputs_cut_short_as_the_process_ended_are_a_crash_and_retried(registered: Platform, tmp_path: Path) -> None:
    key = launch(registered, WORKFLOW, {"x": 3})
    execution = run_until_done(registered, key, executor=CutShort(registered, tmp_path))
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 24
    first = _attempt(registered, execution.id, 1)
    assert first.phase == "RETRYABLE_FAILURE" and first.error_kind == "SYSTEM"
    assert first.error is not None
    assert first.error.startswith("the task process exited with code 0, and its outputs were unreadable")
    assert "outputs.pb does not parse" in first.error
    assert attempts(registered, execution)[:2] == [("n0", 1, "RETRYABLE_FAILURE"), ("n0", 2, "SUCCEEDED")]


def test_outputs_cut_short_while_no_server_ran_are_lost_with_it_and_retried(
    registered: Platform, tmp_path: Path
) -> None:
    key = launch(registered, WORKFLOW, {"x": 3})

    async def until_n0_runs() -> None:
        hangs = Hangs(registered)
        engine = Engine(registered, hangs, poll_seconds=0.05)
        deadline = time.monotonic() + 30
        try:
            while not hangs.started.is_set():
                assert time.monotonic() < deadline, "n0 never started"
                await engine.step()
                await asyncio.sleep(0.05)
        finally:
            await engine.stop()  # the server stops with n0 running
            await hangs.close()

    asyncio.run(until_n0_runs())
    cut_short(registered, key.name, tmp_path)  # n0's process was killed as it wrote its outputs

    execution = run_until_done(registered, key)  # a new server adopts what it finds
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 24
    first = _attempt(registered, execution.id, 1)
    assert first.phase == "RETRYABLE_FAILURE" and first.error_kind == "SYSTEM"
    assert first.error is not None
    assert first.error.startswith("lost with the server: it was running when the server stopped, and its outputs")
    assert "outputs.pb does not parse" in first.error


def _attempt(platform: Platform, execution_id: int, attempt: int) -> NodeExecutionRow:
    with platform.db.session() as session:
        row = session.scalars(
            select(NodeExecutionRow).where(
                NodeExecutionRow.execution_id == execution_id,
                NodeExecutionRow.node_id == "n0",
                NodeExecutionRow.attempt == attempt,
            )
        ).one()
        session.expunge(row)
        return row
