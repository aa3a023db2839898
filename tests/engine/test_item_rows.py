"""A map task's item rows are written in bulk (`engine.itemrows`), never as ORM objects the
session flushes one by one, and stay rows like any other: an abort records each running
item ABORTED, and an item's retry budget counts the attempt recorded in the same step.

The items run as pods on the fake cluster (tests/k8s)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from latchlike.engine.executors.kubernetes import KubernetesExecutor
from latchlike.engine.executors.pods import PodSettings
from latchlike.engine.loop import Engine
from latchlike.executions.launching import terminate
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import NodeExecutionRow
from latchlike.platform import Platform
from tests.engine.running import execution_row, launch
from tests.k8s.fake_api import FakeApiServer, FakeCluster, always

pytestmark = pytest.mark.slow
STEP_SECONDS = 0.05
TIMEOUT_STEPS = 600


@pytest.fixture
def flushed_items() -> Iterator[list[str]]:
    """Paths of the item rows any session flushed as ORM objects, while the test runs."""
    flushed: list[str] = []

    def note(session: Session, *_: Any) -> None:
        objects = [*session.new, *session.dirty]
        flushed.extend(o.node_id for o in objects if isinstance(o, NodeExecutionRow) and o.kind == "item")

    event.listen(Session, "before_flush", note)
    yield flushed
    event.remove(Session, "before_flush", note)


@pytest.fixture
def row_inserts(registered: Platform) -> Iterator[list[str]]:
    """The statements that inserted node rows, one entry per statement sent to the database."""
    inserts: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO NODE_EXECUTIONS"):
            inserts.append(statement)

    event.listen(registered.db.engine, "before_cursor_execute", note)
    yield inserts
    event.remove(registered.db.engine, "before_cursor_execute", note)


def _items(platform: Platform, key: ExecutionKey) -> list[NodeExecutionRow]:
    execution = execution_row(platform, key)
    with platform.db.session() as session:
        of_items = (NodeExecutionRow.execution_id == execution.id, NodeExecutionRow.kind == "item")
        rows = list(session.scalars(select(NodeExecutionRow).where(*of_items).order_by(NodeExecutionRow.id)))
        session.expunge_all()
        return rows


def _drive(platform: Platform, behaviour: str, steps: list[Callable[[], bool]], *, system_retries: int = 3) -> None:
    """One engine over a fake cluster whose pods all do `behaviour`: stepped until each of
    `steps` in turn says so (each is called once per engine step until it answers True)."""

    async def go() -> None:
        with FakeApiServer(FakeCluster(behaviour=always(behaviour))) as cluster:
            executor = KubernetesExecutor(cluster.api(), PodSettings(namespace="latchlike"),
                                          log_dir=platform.settings.data_dir / "logs")  # fmt: skip
            engine = Engine(platform, executor, poll_seconds=STEP_SECONDS, system_retries=system_retries)
            try:
                for until in steps:
                    for _ in range(TIMEOUT_STEPS):
                        await engine.step()
                        if until():
                            break
                        await asyncio.sleep(STEP_SECONDS)
                    else:
                        raise AssertionError("the engine did not get there in time")
            finally:
                await engine.stop()
                await executor.close()

    asyncio.run(go())


def test_an_aborted_map_records_each_running_item_aborted_and_no_item_is_an_orm_flush(
    registered: Platform, flushed_items: list[str], row_inserts: list[str]
) -> None:
    key = launch(registered, "pipelines.wide.unthrottled", {"xs": list(range(30))})

    def all_running() -> bool:
        items = _items(registered, key)
        if len(items) < 30 or any(row.phase != "RUNNING" for row in items):
            return False
        with registered.db.session() as session:
            terminate(session, key, "wrong sample sheet")
        return True

    def ended() -> bool:
        return execution_row(registered, key).phase not in ("QUEUED", "RUNNING", "ABORTING")

    _drive(registered, "hang", [all_running, ended])
    execution = execution_row(registered, key)
    assert (execution.phase, execution.error) == ("ABORTED", "wrong sample sheet")
    items = _items(registered, key)
    assert sorted(row.node_id for row in items) == sorted(f"n0-{i}" for i in range(30))
    assert {(row.attempt, row.phase, row.task, row.parent_id, row.cache_hit) for row in items} == {  # one task
        (1, "ABORTED", items[0].task, "n0", False)
    }
    assert all(row.finished_at is not None and row.finished_at >= row.started_at for row in items)
    # The abort adds the running rows it ends to its session, once each; starting them did not.
    assert sorted(flushed_items) == sorted(f"n0-{i}" for i in range(30))
    assert len(row_inserts) <= 2  # the array node's row, then its 30 items' in one statement


def test_a_failing_item_gets_exactly_its_system_retries(registered: Platform, flushed_items: list[str]) -> None:
    key = launch(registered, "pipelines.wide.unthrottled", {"xs": list(range(3))})
    _drive(registered, "fail", [lambda: execution_row(registered, key).phase in ("SUCCEEDED", "FAILED")],
           system_retries=1)  # fmt: skip
    execution = execution_row(registered, key)
    assert execution.phase == "FAILED"
    assert execution.error is not None and "3 of 3 items failed" in execution.error
    attempts = sorted((row.node_id, row.attempt, row.phase, row.error_kind) for row in _items(registered, key))
    # The second attempt's failure is the second SYSTEM one: past the budget, no third.
    assert [(node, attempt, kind) for node, attempt, _, kind in attempts] == [
        (f"n0-{i}", attempt, "SYSTEM") for i in range(3) for attempt in (1, 2)
    ]
    assert flushed_items == []
