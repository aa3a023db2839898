"""An abort that commits while the engine's step is under way is never overwritten by it.

On PostgreSQL each side reads the execution and writes it back: without a row lock the
engine's step, which read QUEUED, would record RUNNING over the ABORTING it did not see.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from latchlike.engine.executors.local import LocalExecutor
from latchlike.engine.loop import Engine
from latchlike.executions.launching import terminate
from latchlike.platform import Platform
from tests.engine.running import execution_row, launch

pytestmark = pytest.mark.slow
HOLD_SECONDS = 1.0


def test_an_abort_committed_during_a_step_is_not_lost(registered: Platform) -> None:
    key = launch(registered, "pipelines.basic.slow", {"seconds": 30})
    executor = LocalExecutor(registered.settings.data_dir, max_parallel=2)
    engine = Engine(registered, executor, poll_seconds=0.05)
    loop = asyncio.new_event_loop()
    with registered.db.session() as session:
        terminate(session, key, "wrong sample sheet")
        session.flush()  # the UPDATE holds the row until this transaction commits
        step = threading.Thread(target=loop.run_until_complete, args=(engine.step(),))
        step.start()
        time.sleep(HOLD_SECONDS)  # the step reads, and on PostgreSQL waits for the row
    step.join(timeout=60)
    try:
        for _ in range(20):
            if execution_row(registered, key).phase not in ("QUEUED", "RUNNING", "ABORTING"):
                break
            loop.run_until_complete(engine.step())
            time.sleep(0.05)
    finally:
        loop.run_until_complete(engine.stop())
        loop.run_until_complete(executor.close())
        loop.close()
    execution = execution_row(registered, key)
    assert (execution.phase, execution.error) == ("ABORTED", "wrong sample sheet")
