"""A task past its timeout is stopped even when the fork server reports its pid only after
the timeout (it imports the task's module first, and this one takes seconds to import)."""

from __future__ import annotations

import time

import pytest

from latchlike.platform import Platform
from tests.engine.running import attempts, launch, run_until_done

IMPORT_SECONDS = 4


@pytest.mark.slow
def test_a_timeout_before_the_pid_is_known_still_stops_the_task(
    registered: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINES_IMPORT_SECONDS", str(IMPORT_SECONDS))  # read by the fork server it starts
    started = time.monotonic()
    execution = run_until_done(registered, launch(registered, "pipelines.heavy.napping", {"seconds": 60}), warm=True)
    assert time.monotonic() - started < IMPORT_SECONDS + 15  # not the 60 s the task sleeps
    assert execution.phase == "FAILED"
    assert execution.error is not None and "ran past its timeout" in execution.error
    assert attempts(registered, execution) == [("n0", 1, "RETRYABLE_FAILURE")]
