"""Resource limits on local task processes: CPU as cores to run on, memory watched."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from latchlike.engine.executors import RunResult, TaskRun
from latchlike.engine.executors.limits import cpu_cores, memory_bytes
from latchlike.engine.executors.local import LocalExecutor
from latchlike.platform import Platform
from tests.engine.running import attempts, launch, run_until_done


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("512Mi", 512 * 2**20),
        ("2Gi", 2 * 2**30),
        ("1G", 10**9),
        ("1e6", 10**6),
        ("1048576", 2**20),
        ("1.5Gi", 3 * 2**29),
    ],
)
def test_memory_quantities(quantity: str, expected: int) -> None:
    assert memory_bytes(quantity) == expected


@pytest.mark.parametrize(("quantity", "expected"), [("500m", 0.5), ("2", 2.0), ("0.25", 0.25)])
def test_cpu_quantities(quantity: str, expected: float) -> None:
    assert cpu_cores(quantity) == expected


@pytest.mark.parametrize("bad", ["lots", "12Qi", "-1Gi"])
def test_a_bad_quantity_says_what_it_expects(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a memory quantity"):
        memory_bytes(bad)


def _run(tmp_path: Path, script: str, limits: dict[str, str]) -> tuple[RunResult, str]:
    executor = LocalExecutor(tmp_path, max_parallel=1)
    result = asyncio.run(executor.run(TaskRun("limited-1", (sys.executable, "-c", script), {}, limits=limits)))
    return result, executor.log("limited-1")


def test_a_process_over_its_memory_limit_is_stopped_and_says_so(tmp_path: Path) -> None:
    started = time.monotonic()
    script = "import time; ballast = bytearray(400 * 2**20); time.sleep(20)"
    result, _ = _run(tmp_path, script, {"memory": "200Mi"})
    assert time.monotonic() - started < 10
    assert result.out_of_memory is not None and "more than its memory limit of 200Mi" in result.out_of_memory
    assert result.exit_code != 0


def test_a_process_within_its_limits_runs_untouched(tmp_path: Path) -> None:
    result, log = _run(tmp_path, "print(bytearray(10 * 2**20).count(0))", {"memory": "500Mi"})
    assert (result.exit_code, result.out_of_memory) == (0, None)
    assert str(10 * 2**20) in log


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: a CPU limit cannot narrow it")
def test_a_cpu_limit_is_the_number_of_cores_a_process_may_use(tmp_path: Path) -> None:
    result, log = _run(tmp_path, "import os; print('cores', len(os.sched_getaffinity(0)))", {"cpu": "500m"})
    assert result.exit_code == 0
    assert "cores 1" in log


@pytest.mark.slow
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_task_over_its_memory_limit_fails_its_attempt_with_the_reason(registered: Platform, warm: bool) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.basic.greedy", {"megabytes": 600}), warm=warm)
    assert execution.phase == "FAILED"
    assert execution.error is not None and "more than its memory limit of 300Mi" in execution.error
    assert attempts(registered, execution) == [("n0", 1, "RETRYABLE_FAILURE")]  # the task's own budget: 0 retries
