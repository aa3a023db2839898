"""A wide map task starts its items a batch per engine step, within its `parallelism`, and
an engine started again on the same database finishes it without running an item twice.

The items run as pods on the fake cluster (tests/k8s), whose kubelet writes each item's
outputs as the task would: instant, and it counts how often each item really ran."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2
from sqlalchemy import select

from latchlike.engine.executors.kubernetes import KubernetesExecutor
from latchlike.engine.executors.pods import PodSettings
from latchlike.engine.loop import Engine
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import NodeExecutionRow
from latchlike.platform import Platform
from tests.engine.running import execution_row, launch
from tests.k8s.fake_api import FakeApiServer, FakeCluster, always

STEP_SECONDS = 0.05
TIMEOUT_STEPS = 1200


class _Kubelet:
    """Writes an item's output (its index squared) where its command says, and counts runs."""

    def __init__(self) -> None:
        self.runs: Counter[int] = Counter()

    def __call__(self, pod: dict[str, Any]) -> None:
        container = pod["spec"]["containers"][0]
        command = container["command"]
        prefix = Path(command[command.index("--output-prefix") + 1])
        index = next(int(e["value"]) for e in container["env"] if e["name"] == "FLYTE_K8S_ARRAY_INDEX")
        self.runs[index] += 1
        value = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=index**2)))
        prefix.mkdir(parents=True, exist_ok=True)
        # Whole or not at all, as a store upload lands: a restarted engine may look meanwhile.
        staged = prefix / ".outputs.pb.partial"
        staged.write_bytes(literals_pb2.LiteralMap(literals={"o0": value}).SerializeToString())
        staged.replace(prefix / "outputs.pb")


@pytest.fixture
def kubelet() -> _Kubelet:
    return _Kubelet()


@pytest.fixture
def cluster(kubelet: _Kubelet) -> Any:
    with FakeApiServer(FakeCluster(behaviour=always("succeed"), on_success=kubelet)) as server:
        yield server


def _items(platform: Platform, key: ExecutionKey) -> list[NodeExecutionRow]:
    execution = execution_row(platform, key)
    with platform.db.session() as session:
        of_items = (NodeExecutionRow.execution_id == execution.id, NodeExecutionRow.kind == "item")
        rows = list(session.scalars(select(NodeExecutionRow).where(*of_items)))
        session.expunge_all()
        return rows


def _drive(
    platform: Platform, cluster: FakeApiServer, *, start_batch: int, until: Callable[[], bool], crash: bool = False
) -> None:
    """Step one engine until `until()`; `crash`: then drop it as a killed server would, its
    pods left to run, instead of stopping it (which deletes them)."""

    async def go() -> None:
        executor = KubernetesExecutor(cluster.api(), PodSettings(namespace="latchlike"),
                                      log_dir=platform.settings.data_dir / "logs", keep_pods=True)  # fmt: skip
        engine = Engine(platform, executor, poll_seconds=STEP_SECONDS, start_batch=start_batch)
        try:
            for _ in range(TIMEOUT_STEPS):
                await engine.step()
                if until():
                    return
                await asyncio.sleep(STEP_SECONDS)
            raise AssertionError("the engine did not get there in time")
        finally:
            if not crash:
                await engine.stop()
            await executor.close()

    asyncio.run(go())


def _done(platform: Platform, key: ExecutionKey) -> Callable[[], bool]:
    return lambda: execution_row(platform, key).phase in ("SUCCEEDED", "FAILED")


def _outputs(platform: Platform, key: ExecutionKey) -> list[int]:
    execution = execution_row(platform, key)
    assert execution.phase == "SUCCEEDED", execution.error
    assert execution.outputs is not None
    literals = literals_pb2.LiteralMap.FromString(execution.outputs).literals["o0"].collection.literals
    return [literal.scalar.primitive.integer for literal in literals]


def _most_at_once(items: list[NodeExecutionRow]) -> int:
    """The most items whose attempts were running at the same moment, by their rows."""
    events = sorted([(row.started_at, 1) for row in items] + [(row.finished_at, -1) for row in items],
                    key=lambda event: (event[0], event[1]))  # fmt: skip
    running = most = 0
    for _, change in events:
        running += change
        most = max(most, running)
    return most


@pytest.mark.slow
def test_a_map_wider_than_the_batch_runs_every_item_within_its_parallelism(
    registered: Platform, cluster: FakeApiServer, kubelet: _Kubelet
) -> None:
    key = launch(registered, "pipelines.wide.throttled", {"xs": list(range(12))})
    steps = 0

    def first_step_checked() -> bool:
        nonlocal steps
        steps += 1
        items = _items(registered, key)
        running = sum(row.phase == "RUNNING" for row in items)
        assert running <= 4, f"step {steps} left {running} items running"
        assert steps > 1 or len(items) == 3  # the first step started one batch
        return _done(registered, key)()

    _drive(registered, cluster, start_batch=3, until=first_step_checked)
    assert _outputs(registered, key) == [i * i for i in range(12)]
    items = _items(registered, key)
    assert sorted((row.node_id, row.attempt, row.phase) for row in items) == sorted(
        (f"n0-{i}", 1, "SUCCEEDED") for i in range(12)
    )
    assert 1 < _most_at_once(items) <= 4  # the map task's concurrency
    assert kubelet.runs == Counter(range(12))


@pytest.mark.slow
def test_an_engine_started_again_mid_map_finishes_it_without_running_an_item_twice(
    registered: Platform, cluster: FakeApiServer, kubelet: _Kubelet
) -> None:
    key = launch(registered, "pipelines.wide.unthrottled", {"xs": list(range(40))})

    def mid_map() -> bool:
        items = _items(registered, key)
        return sum(row.phase == "SUCCEEDED" for row in items) >= 10 and len(items) < 40

    _drive(registered, cluster, start_batch=10, until=mid_map, crash=True)
    assert 10 <= sum(kubelet.runs.values()) < 40
    _drive(registered, cluster, start_batch=10, until=_done(registered, key))
    assert _outputs(registered, key) == [i * i for i in range(40)]
    # An attempt the crash caught before its pod was made may be recorded as lost and run
    # again as the next attempt; what matters is that each item's task ran exactly once.
    latest = {row.node_id: row.phase for row in sorted(_items(registered, key), key=lambda row: row.attempt)}
    assert latest == {f"n0-{i}": "SUCCEEDED" for i in range(40)}
    assert kubelet.runs == Counter(range(40))  # each item's pod ran once, across both engines
