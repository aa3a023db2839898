"""Group commit of launches (`launches.queue`): launches that arrive together share one
transaction, each gets its own execution, and one that cannot be recorded fails alone."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from flyteidl.core import literals_pb2
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from latchlike.builtins import register_builtin_workflows
from latchlike.errors import AlreadyExists, InvalidArgument
from latchlike.executions.launching import literal_launch
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import ExecutionRow
from latchlike.files.catalog import StoreCatalog
from latchlike.launches.queue import BURST as BURST_SIZE
from latchlike.launches.queue import Memo
from latchlike.launches.service import Launched, json_launch
from latchlike.platform import Platform
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.store import FileStore

HELLO = NamedEntityKey(ResourceKind.WORKFLOW, "flytesnacks", "development", "workflows.hello.hello_world")
PLAN = EntityId(ResourceKind.LAUNCH_PLAN, "flytesnacks", "development", "workflows.hello.hello_world", "")
BURST = 60


@pytest.fixture
def hello(platform: Platform) -> Platform:
    register_builtin_workflows(platform)
    return platform


def _commits(platform: Platform) -> list[int]:
    counted: list[int] = []
    event.listen(platform.db.engine, "commit", lambda _conn: counted.append(1))
    return counted


def _named(name: str, value: str = "x", field: str = "name", *, store: FileStore) -> Any:
    """A literal launch (as gRPC CreateExecution makes) of hello_world with an execution name."""
    literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=value)))
    inputs = literals_pb2.LiteralMap(literals={field: literal})

    def prepare(session: Session, _: Memo) -> tuple[ExecutionRow, ExecutionKey]:
        row = literal_launch(session, launch_plan=PLAN, inputs=inputs, store=store, name=name)
        return row, ExecutionKey(row.project, row.domain, row.name)

    return prepare


def test_launches_that_arrive_together_share_a_transaction_and_each_gets_its_own_execution(hello: Platform) -> None:
    catalog = StoreCatalog(hello.store, "flytesnacks")
    commits = _commits(hello)

    async def burst() -> list[Launched]:
        launches = (json_launch(HELLO, None, None, {"name": f"n{i}"}, catalog) for i in range(BURST))
        return await asyncio.gather(*(hello.launches.launch(prepare) for prepare in launches))

    launched = asyncio.run(burst())
    assert len(commits) < 3  # one batch (or two, if the drain started before all had arrived)
    assert all(result.row is not None for result in launched)
    names = [result.row.name for result in launched if result.row is not None]
    assert len(set(names)) == BURST
    with hello.db.session() as session:
        rows = {row.name: row for row in session.scalars(select(ExecutionRow).where(ExecutionRow.name.in_(names)))}
    assert set(rows) == set(names)
    for i, name in enumerate(names):  # each answer names the execution of its own inputs
        given = literals_pb2.LiteralMap.FromString(rows[name].inputs).literals["name"]
        assert given.scalar.primitive.string_value == f"n{i}"
        assert rows[name].phase == "QUEUED"


def test_a_launch_that_cannot_be_recorded_fails_alone(hello: Platform) -> None:
    """Two launches named alike in one batch: the batch's insert fails, the launches are
    recorded one by one, and only the second of the pair is refused. A launch refused while
    being prepared (an unknown input) never takes the batch down either."""
    commits = _commits(hello)

    async def burst() -> list[ExecutionKey | BaseException]:
        prepares = [_named(f"ok-{i}", store=hello.store) for i in range(5)]
        prepares[2:2] = [
            _named("twin", store=hello.store),
            _named("twin", store=hello.store),
            _named("", field="surprise", store=hello.store),
        ]
        return await asyncio.gather(*(hello.launches.launch(p) for p in prepares), return_exceptions=True)

    outcomes = asyncio.run(burst())
    recorded = [o.name for o in outcomes if isinstance(o, ExecutionKey)]
    assert recorded == ["ok-0", "ok-1", "twin", "ok-2", "ok-3", "ok-4"]
    assert isinstance(outcomes[3], AlreadyExists) and "twin" in outcomes[3].message
    assert isinstance(outcomes[4], InvalidArgument) and "surprise" in outcomes[4].message
    with hello.db.session() as session:
        names = sorted(session.scalars(select(ExecutionRow.name)))
    assert names == sorted(recorded)
    assert len(commits) >= 2  # the failed batch, then one transaction per launch


def test_an_answer_comes_only_after_its_launch_is_committed(hello: Platform) -> None:
    seen: list[bool] = []

    async def launch_and_look() -> None:
        key = await hello.launches.launch(_named("durable", store=hello.store))
        # Another connection (as after a crash): the row is there once the caller has its answer.
        with hello.db.session() as session:
            seen.append(session.scalar(select(ExecutionRow.id).where(ExecutionRow.name == key.name)) is not None)

    asyncio.run(launch_and_look())
    assert seen == [True]


def test_the_engine_waits_for_a_burst_to_be_answered_but_not_for_a_trickle(hello: Platform) -> None:
    release = threading.Event()

    def held(session: Session, memo: Memo) -> tuple[None, str]:
        release.wait(10)  # the batch is being recorded: its launches wait for their answers
        return None, "answered"

    async def scenario() -> tuple[float, float, float]:
        trickle = asyncio.gather(*(hello.launches.launch(held) for _ in range(BURST_SIZE - 1)))
        await asyncio.sleep(0.05)
        start = time.monotonic()
        await hello.launches.settled(5)
        for_a_trickle = time.monotonic() - start
        burst = asyncio.gather(*(hello.launches.launch(held) for _ in range(2)))
        await asyncio.sleep(0.05)
        start = time.monotonic()
        await hello.launches.settled(0.3)
        for_a_burst = time.monotonic() - start
        release.set()
        await asyncio.gather(trickle, burst)
        start = time.monotonic()
        await hello.launches.settled(5)
        return for_a_trickle, for_a_burst, time.monotonic() - start

    for_a_trickle, for_a_burst, once_answered = asyncio.run(scenario())
    assert for_a_trickle < 0.1 and once_answered < 0.1
    assert for_a_burst >= 0.3
