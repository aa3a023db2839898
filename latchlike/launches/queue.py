"""Group commit of launches: the launches that arrive together are recorded in one transaction.

One transaction per launch makes a burst a queue of commits, each waiting for SQLite's one
write turn (or a PostgreSQL round trip and commit). Here each request hands its launch to
the queue and awaits its own answer, while one drain task at a time records every launch
pending in one unit of work and commits it: a request is answered only after that commit, so
an accepted launch is durably recorded. Preparing a launch (its form, validation, its row) is
done per launch inside the batch, and one failing does not fail its batch-mates: a refused
launch is answered on its own, and a batch whose writing fails is recorded again one launch
per transaction.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import insert, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from latchlike.accounts.secrets import launch_secrets, require_secrets
from latchlike.db import Database
from latchlike.errors import AlreadyExists, InternalError, LatchlikeError
from latchlike.executions.tables import ExecutionRow

T = TypeVar("T")
V = TypeVar("V")
MAX_BATCH = 500
"""Launches recorded in one transaction at most: a bound on how long it holds the write turn."""
BURST = 32
"""Launches waiting for their answers from which on they are a burst the engine stands back for."""
SETTLED_POLL_SECONDS = 0.02


class Memo:
    """Lookups the launches of one batch share: a workflow's launch form is read once per
    batch, not once per launch. A lookup that raised raises again for each launch that makes it."""

    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[bool, Any]] = {}
        self.follow_ups: list[Callable[[Session], None]] = []

    def after_insert(self, follow_up: Callable[[Session], None]) -> None:
        """Record more, in the batch's transaction, once the rows are in (rows that point at
        the new execution)."""
        self.follow_ups.append(follow_up)

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        if key not in self._values:
            try:
                self._values[key] = (True, make())
            except LatchlikeError as error:
                self._values[key] = (False, error)
        ok, value = self._values[key]
        if not ok:
            raise value
        return cast(V, value)


Prepare = Callable[[Session, Memo], tuple[ExecutionRow | None, T]]
"""Reads what a launch needs and checks it, without writing: the row to insert (None when the
launch is refused and `T` says why) and the answer. A `LatchlikeError` refuses this launch only."""


@dataclass
class _Order(Generic[T]):
    prepare: Prepare[T]
    answer: asyncio.Future[T]


@dataclass
class _LoopQueue:
    pending: list[_Order[Any]] = field(default_factory=list)
    drain: asyncio.Task[None] | None = None
    unanswered: int = 0

    def answered(self, _: object) -> None:
        self.unanswered -= 1


class LaunchQueue:
    """The launches of one database, recorded in batches; one per `Platform`."""

    def __init__(self, db: Database, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopQueue] = weakref.WeakKeyDictionary()

    async def launch(self, prepare: Prepare[T]) -> T:
        """`prepare`'s answer once its row (if any) is committed; its error if it raised."""
        loop = asyncio.get_running_loop()
        queue = self._queue(loop)
        order: _Order[T] = _Order(prepare, loop.create_future())
        queue.pending.append(order)
        queue.unanswered += 1
        order.answer.add_done_callback(queue.answered)
        if queue.drain is None or queue.drain.done():
            queue.drain = loop.create_task(self._drain(queue))
        # Shielded: a caller that goes away does not take the batch's answer with it.
        return await asyncio.shield(order.answer)

    async def settled(self, at_most: float) -> None:
        """Wait while a burst (`BURST` launches or more) waits for its answers, `at_most` seconds:
        the engine lets a burst be accepted before it runs it. A trickle of launches is no burst,
        and the engine does not wait for it."""
        queue = self._queue(asyncio.get_running_loop())
        deadline = time.monotonic() + at_most
        while queue.unanswered >= BURST and time.monotonic() < deadline:
            await asyncio.sleep(SETTLED_POLL_SECONDS)

    def _queue(self, loop: asyncio.AbstractEventLoop) -> _LoopQueue:
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _LoopQueue()
        return queue

    async def _drain(self, queue: _LoopQueue) -> None:
        while queue.pending:
            batch, queue.pending = queue.pending[: self._max_batch], queue.pending[self._max_batch :]
            try:
                outcomes = await self._db.run(partial(_record, batch=batch))
            except Exception:
                # Nothing of the batch was committed: record each launch on its own, so that
                # only the one that cannot be recorded fails.
                outcomes = [await self._alone(order) for order in batch]
            for order, outcome in zip(batch, outcomes, strict=True):
                if order.answer.done():
                    continue
                if isinstance(outcome, _Failed):
                    order.answer.set_exception(outcome.error)
                else:
                    order.answer.set_result(outcome)

    async def _alone(self, order: _Order[Any]) -> object:
        try:
            return (await self._db.run(partial(_record, batch=[order])))[0]
        except IntegrityError as error:
            return _Failed(AlreadyExists(f"the execution could not be recorded: {error.orig}"))
        except LatchlikeError as error:
            return _Failed(error)
        except Exception as error:
            failed = InternalError(f"the execution could not be recorded: {error}")
            failed.__cause__ = error
            return _Failed(failed)


@dataclass(frozen=True)
class _Failed:
    error: BaseException


def _record(session: Session, batch: list[_Order[Any]]) -> list[object]:
    """Prepare every launch, insert the rows of those accepted in one statement. An error other
    than a refusal (a database error) fails the whole unit of work, which is then redone per launch."""
    memo = Memo()
    outcomes: list[object] = []
    rows: list[ExecutionRow] = []
    for order in batch:
        try:
            row, answer = order.prepare(session, memo)
            if row is not None:
                version = ("secrets", row.project, row.domain, row.workflow, row.version)
                require_secrets(session, row.project, memo.get(version, partial(launch_secrets, session, row)))
        except LatchlikeError as error:
            outcomes.append(_Failed(error))
            continue
        if row is not None:
            rows.append(row)
        outcomes.append(answer)
    if rows:
        # A bulk INSERT of the values set, not `add_all`: the ORM's unit of work would cost more per
        # row than the rest of the launch. The rows stay transient, as the answers only read them.
        session.execute(insert(ExecutionRow), [_values(row) for row in rows])
    for follow_up in memo.follow_ups:
        follow_up(session)
    return outcomes


def _values(row: ExecutionRow) -> dict[str, Any]:
    """The columns given a value (the others get their defaults), by attribute name."""
    state = inspect(row)
    return {column.key: state.dict[column.key] for column in state.mapper.column_attrs if column.key in state.dict}
