"""A burst of pod status changes costs the engine's event loop one wake-up, not one per
watch chunk: the loop is shared with the engine, and a 10,000-item map task ends its pods
a chunk (or two) per pod."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from latchlike.engine.executors import RunResult
from latchlike.engine.executors.kubernetes import KubernetesExecutor
from latchlike.engine.executors.pods import pod_name
from tests.k8s.fake_api import FakeApiServer, FakeCluster, always
from tests.k8s.test_kubernetes_executor import SETTINGS, _printing

PODS = 100
TERMINATED = {"terminated": {"exitCode": 0, "reason": "Completed"}}
SUCCEEDED = {
    "phase": "Succeeded",
    "containerStatuses": [
        {"name": "task", "image": "fake", "imageID": "fake", "ready": False, "restartCount": 0, "state": TERMINATED}
    ],
}


class CountingExecutor(KubernetesExecutor):
    """Counts the event loop's wake-ups for watch events (the executor's own hand-over)."""

    wakeups = 0

    def _on_events(self, *args: object) -> None:
        self.wakeups += 1
        super()._on_events(*args)  # type: ignore[arg-type]


def test_status_changes_that_arrive_while_the_loop_is_busy_take_one_wake_up(tmp_path: Path) -> None:
    runs = _printing(PODS)
    with FakeApiServer(FakeCluster(behaviour=always("hang"))) as server:

        async def go() -> tuple[list[RunResult], int]:
            executor = CountingExecutor(server.api(), SETTINGS, log_dir=tmp_path)
            try:
                attempts = [asyncio.create_task(executor.run(run)) for run in runs]
                while sum(pod["status"]["phase"] == "Running" for pod in list(server.cluster.pods.values())) < PODS:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)  # the Running events are taken
                executor.wakeups = 0
                for run in runs:  # the loop busy (as in a step) while the pods end, a chunk each
                    server.cluster.set_status(pod_name(run.key), SUCCEEDED)
                    time.sleep(0.005)
                time.sleep(0.5)
                results = await asyncio.wait_for(asyncio.gather(*attempts), 30)
                return results, executor.wakeups
            finally:
                await executor.close()

        results, wakeups = asyncio.run(go())
    assert [result.exit_code for result in results] == [0] * PODS
    assert wakeups <= 2
