"""Pods of executions that ended while the server was down (before it deleted them) go
when it starts again; an active execution's pods stay."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from latchlike.engine.executors.kubernetes import KubernetesExecutor
from latchlike.engine.loop import Engine
from latchlike.platform import Platform
from tests.engine.running import launch, run_until_done
from tests.k8s.fake_api import FakeApiServer, FakeCluster, always
from tests.k8s.test_kubernetes_executor import SETTINGS, _printing, _run


@pytest.fixture
def cluster() -> Iterator[FakeApiServer]:
    with FakeApiServer(FakeCluster()) as server:
        yield server


def test_an_ended_executions_pods_go_when_the_executor_starts_and_their_logs_stay(
    cluster: FakeApiServer, tmp_path: Path
) -> None:
    ended = _printing(2)
    live = _printing(1, project="other")  # an execution of the same name, in another project
    _run(cluster, tmp_path, *ended, *live)  # the server stopped before it cleaned up after abc123
    assert len(cluster.cluster.pods) == 3

    async def restart() -> KubernetesExecutor:
        executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=tmp_path)
        await executor.sweep([("other", "development", "abc123")])
        await executor.close()  # waits for the clean-up
        return executor

    executor = asyncio.run(restart())
    assert [pod["metadata"]["labels"]["latchlike.io/project"] for pod in cluster.cluster.pods.values()] == ["other"]
    assert cluster.cluster.requests["deletecollection"] == 1
    assert [executor.log(run.key).strip() for run in ended] == [f"log of {run.key}" for run in ended]


def test_kept_pods_stay_when_the_executor_starts(cluster: FakeApiServer, tmp_path: Path) -> None:
    _run(cluster, tmp_path, *_printing(1))

    async def restart() -> None:
        executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=tmp_path, keep_pods=True)
        await executor.sweep([])
        await executor.close()

    asyncio.run(restart())
    assert len(cluster.cluster.pods) == 1
    assert cluster.cluster.requests["deletecollection"] == 0


@pytest.mark.slow
def test_a_restarted_engine_deletes_the_pods_of_an_execution_that_ended_and_keeps_a_running_ones(
    registered: Platform, cluster: FakeApiServer
) -> None:
    logs = registered.settings.data_dir / "logs"
    # An execution ran to its end, but its pods were never deleted (the server went down first).
    left = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=logs, keep_pods=True)
    ended = run_until_done(registered, launch(registered, "pipelines.basic.fan", {"x": 3}), executor=left)
    assert ended.phase == "SUCCEEDED", ended.error
    created = len(cluster.cluster.pods)
    cluster.cluster.behaviour = always("hang")
    running = launch(registered, "pipelines.basic.fan", {"x": 3})

    def executions() -> set[str]:
        return {pod["metadata"]["labels"]["latchlike.io/execution"] for pod in list(cluster.cluster.pods.values())}

    async def serve_again() -> set[str]:
        """The restarted server's engine, until the running execution has a pod and the ended one none."""
        executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=logs)
        engine = Engine(registered, executor, poll_seconds=0.05)
        try:
            for _ in range(200):
                await engine.step()
                if executions() == {running.name}:
                    break
                await asyncio.sleep(0.05)
            return executions()
        finally:
            await engine.stop()
            await executor.close()

    assert (created, asyncio.run(serve_again())) == (4, {running.name})
    assert cluster.cluster.requests["deletecollection"] == 1


def test_an_unreachable_api_server_leaves_the_pods_and_lets_the_engine_start(tmp_path: Path) -> None:
    with FakeApiServer(FakeCluster()) as gone:
        api = gone.api()  # its port is closed once the fake has stopped

    async def restart() -> None:
        executor = KubernetesExecutor(api, SETTINGS, log_dir=tmp_path)
        await asyncio.wait_for(executor.sweep([]), 30)
        await executor.close()

    asyncio.run(restart())  # no exception: the sweep gives up, as a failed clean-up does
