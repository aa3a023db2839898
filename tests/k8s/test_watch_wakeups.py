"""A burst of pod status changes costs the engine's event loop one wake-up, not one per
watch chunk: the loop is shared with the engine, and a 10,000-item map task ends its pods
a chunk (or two) per pod. Events that cannot end an attempt (a pod pending, then running)
are not even parsed, unless a pod was seen unschedulable."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from latchlike.engine.executors import RunResult
from latchlike.engine.executors.kubernetes import KubernetesExecutor
from latchlike.engine.executors.pods import pod_name
from tests.k8s.fake_api import FakeApiServer, FakeCluster, always, fake_running
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
    """Counts the event loop's wake-ups for watch events (the executor's own hand-over),
    and the events handed over."""

    wakeups = 0
    events = 0

    def _on_events(self, *args: object) -> None:
        self.wakeups += 1
        super()._on_events(*args)  # type: ignore[arg-type]

    def _on_event(self, *args: object) -> None:
        self.events += 1
        super()._on_event(*args)  # type: ignore[arg-type]


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


def test_pods_pending_then_running_are_not_handed_to_the_loop_only_their_ends(tmp_path: Path) -> None:
    first, *runs = _printing(PODS + 1)
    with FakeApiServer(FakeCluster(behaviour=always("hang"))) as server:

        async def go() -> tuple[list[RunResult], int, int]:
            executor = CountingExecutor(server.api(), SETTINGS, log_dir=tmp_path)
            try:
                started = asyncio.create_task(executor.run(first))  # the watch is following (listed before)
                while pod_name(first.key) not in server.cluster.pods:
                    await asyncio.sleep(0.05)
                server.cluster.set_status(pod_name(first.key), SUCCEEDED)
                await asyncio.wait_for(started, 30)
                executor.events = 0
                attempts = [asyncio.create_task(executor.run(run)) for run in runs]
                while sum(pod["status"]["phase"] == "Running" for pod in list(server.cluster.pods.values())) < PODS:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)  # the watch has read the Running events
                before_ends = executor.events
                for run in runs:
                    server.cluster.set_status(pod_name(run.key), SUCCEEDED)
                results = await asyncio.wait_for(asyncio.gather(*attempts), 30)
                return results, before_ends, executor.events
            finally:
                await executor.close()

        results, before_ends, events = asyncio.run(go())
    assert [result.exit_code for result in results] == [0] * PODS
    assert (before_ends, events) == (0, PODS)


def test_a_pod_unschedulable_for_a_while_then_running_is_not_given_up(tmp_path: Path) -> None:
    [run] = _printing(1)
    with FakeApiServer(FakeCluster(behaviour=always("unschedulable"))) as server:

        async def go() -> RunResult:
            executor = KubernetesExecutor(server.api(), SETTINGS, log_dir=tmp_path, unschedulable_seconds=1.0)
            try:
                attempt = asyncio.create_task(executor.run(run))
                await asyncio.sleep(0.5)  # seen unschedulable: given up on in a second, unless scheduled
                server.cluster.set_status(pod_name(run.key), fake_running())
                await asyncio.sleep(1.5)
                assert not attempt.done(), "a running pod was given up on as never scheduled"
                server.cluster.set_status(pod_name(run.key), SUCCEEDED)
                return await asyncio.wait_for(attempt, 30)
            finally:
                await executor.close()

        result = asyncio.run(go())
    assert result.exit_code == 0
