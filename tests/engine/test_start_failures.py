"""A task process that fails before flytekit runs says why in the attempt's own log (which
the execution page shows), never only in a server-side file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from latchlike.engine.executors import TaskRun
from latchlike.engine.executors.local import START_FAILED, LocalExecutor
from latchlike.engine.executors.warm import Fork, WarmWorker
from tests.server import REPO


@pytest.mark.slow
def test_a_forked_child_that_cannot_enter_its_working_directory_says_so_in_its_log(tmp_path: Path) -> None:
    worker = WarmWorker(tmp_path / "logs" / "forkserver.log")
    log = tmp_path / "logs" / "attempt.log"
    fork = Fork("attempt", "pyflyte-execute", [], {}, tmp_path / "work" / "gone", log)

    async def run() -> tuple[int, bool]:
        try:
            return await worker.run(fork, timeout=60)
        finally:
            await worker.close()

    exit_code, timed_out = asyncio.run(run())
    assert (exit_code, timed_out) == (1, False)
    written = log.read_text()
    assert "latchlike: the task process failed before flytekit ran it" in written
    assert str(tmp_path / "work" / "gone") in written


def test_a_command_that_cannot_start_says_so_in_its_log(tmp_path: Path) -> None:
    executor = LocalExecutor(tmp_path, max_parallel=1)
    run = TaskRun(key="attempt", command=("no-such-tool-in-any-image", "--version"), env={})
    result = asyncio.run(executor.run(run))
    assert result.exit_code == START_FAILED
    assert "could not start the task process 'no-such-tool-in-any-image'" in executor.log("attempt")


@pytest.mark.slow
def test_a_fork_server_that_cannot_start_says_why_in_the_attempts_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "site" / "flytekit"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('flytekit is broken in this environment')\n")
    monkeypatch.setenv("PYTHONPATH", f"{broken.parent}:{REPO}")  # the fork server inherits it
    worker = WarmWorker(tmp_path / "logs" / "forkserver.log")
    log = tmp_path / "logs" / "attempt.log"
    (tmp_path / "work").mkdir()

    async def run() -> tuple[int, bool]:
        try:
            return await worker.run(Fork("attempt", "pyflyte-execute", [], {}, tmp_path / "work", log), timeout=60)
        finally:
            await worker.close()

    assert asyncio.run(run()) == (-1, False)
    written = log.read_text()
    assert "latchlike: the fork server that starts task processes stopped (exit code 1)" in written
    assert "ImportError: flytekit is broken in this environment" in written
