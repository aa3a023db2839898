"""The engine runs registered workflows task by task, each task its own process."""

from __future__ import annotations

import time
from pathlib import Path

import msgpack
import pytest
from flyteidl.core import literals_pb2
from sqlalchemy import select

from latchlike.executions.tables import ExecutionRow, NodeExecutionRow
from latchlike.platform import Platform
from tests.engine.running import attempts, int_output, launch, run_until_done
from tests.samples import serialize_sample
from tests.ui_gen.registry import register_serialized


@pytest.mark.slow
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_fan_out_fan_in_workflow_runs_each_task_as_a_process(registered: Platform, warm: bool) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.basic.fan", {"x": 3}), warm=warm)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 24
    assert [phase for *_, phase in attempts(registered, execution)] == ["SUCCEEDED"] * 4


@pytest.mark.slow
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_user_error_fails_the_execution_with_its_message_and_is_not_retried(registered: Platform, warm: bool) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.basic.fails", {"x": 5}), warm=warm)
    assert execution.phase == "FAILED"
    assert execution.error is not None and "bad sample 10" in execution.error
    assert "ValueError" in execution.error  # the user's traceback travels with it
    assert attempts(registered, execution) == [("n0", 1, "SUCCEEDED"), ("n1", 1, "FAILED")]


@pytest.mark.slow
def test_a_recoverable_error_is_retried_as_declared(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.basic.retried", {"x": 1}))
    assert execution.phase == "FAILED"
    assert attempts(registered, execution) == [("n0", 1, "RETRYABLE_FAILURE"), ("n0", 2, "RETRYABLE_FAILURE"),
                                                ("n0", 3, "RETRYABLE_FAILURE")]  # fmt: skip
    assert execution.error is not None and "the sequencer is busy (1)" in execution.error


@pytest.mark.slow
def test_a_cached_task_with_the_same_inputs_is_a_cache_hit_the_second_time(
    platform: Platform, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import workflows

    package_dir = Path(workflows.__file__).parent
    sample = serialize_sample(tmp_path_factory.mktemp("hello"), project_dir=package_dir.parent, package="workflows")
    register_serialized(platform, sample, package_dir, "workflows")
    inputs = {"name": "Ada", "times": 2}
    first = run_until_done(platform, launch(platform, "workflows.hello.hello_world", inputs))
    second = run_until_done(platform, launch(platform, "workflows.hello.hello_world", inputs))
    other = run_until_done(platform, launch(platform, "workflows.hello.hello_world", inputs | {"times": 3}))
    assert (first.phase, second.phase, other.phase) == ("SUCCEEDED",) * 3
    assert first.outputs == second.outputs
    assert _cache_hits(platform, first) == {"n0": False, "n1": False}
    assert _cache_hits(platform, second) == {"n0": False, "n1": True}  # repeat_lines has cache=True
    assert _cache_hits(platform, other) == {"n0": False, "n1": False}  # other inputs, other key


def _cache_hits(platform: Platform, execution: ExecutionRow) -> dict[str, bool]:
    with platform.db.session() as session:
        rows = session.scalars(select(NodeExecutionRow).where(NodeExecutionRow.execution_id == execution.id))
        return {row.node_id: row.cache_hit for row in rows}


@pytest.mark.slow
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_task_past_its_timeout_is_stopped(registered: Platform, warm: bool) -> None:
    started = time.monotonic()
    key = launch(registered, "pipelines.basic.too_slow", {"seconds": 60})
    execution = run_until_done(registered, key, warm=warm)
    assert time.monotonic() - started < 30
    assert execution.phase == "FAILED"
    assert execution.error is not None and "ran past its timeout" in execution.error
    assert attempts(registered, execution) == [("n0", 1, "RETRYABLE_FAILURE")]


@pytest.mark.slow
def test_a_file_passes_between_tasks_through_the_store_and_a_dataclass_comes_out(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.basic.files", {"n": 3}))
    assert execution.phase == "SUCCEEDED", execution.error
    assert execution.outputs is not None
    summary = literals_pb2.LiteralMap.FromString(execution.outputs).literals["o0"]
    assert msgpack.unpackb(summary.scalar.binary.value) == {"lines": 3, "first": "read0"}
    with registered.db.session() as session:
        first = session.scalars(select(NodeExecutionRow).where(NodeExecutionRow.node_id == "n0")).one()
        outputs_key = f"executions/flytesnacks/development/{execution.name}/n0/1/outputs.pb"
        assert first.phase == "SUCCEEDED"
    with registered.store.open(outputs_key) as raw:
        written = literals_pb2.LiteralMap.FromString(raw.read()).literals["o0"].scalar.blob.uri
    # The file went to the attempt's raw-output prefix in latchlike's store, not a temp dir.
    assert registered.store.key_of(written) is not None
    assert written.startswith(registered.store.uri(f"executions/flytesnacks/development/{execution.name}/n0/1/raw"))


@pytest.mark.slow
def test_a_crash_is_retried_from_the_platforms_budget_not_the_tasks(registered: Platform, tmp_path: Path) -> None:
    marker = str(tmp_path / "crashed-once")
    execution = run_until_done(registered, launch(registered, "pipelines.basic.crashes_once", {"marker": marker}))
    assert execution.phase == "SUCCEEDED", execution.error
    assert attempts(registered, execution) == [("n0", 1, "RETRYABLE_FAILURE"), ("n0", 2, "SUCCEEDED")]
