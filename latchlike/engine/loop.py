"""The engine: the one writer of execution state.

Each step drains finished task attempts, then, in one database transaction, walks every
active execution (`walk`): records outcomes, decides which nodes are ready (`dag`), writes
their `inputs.pb` and hands the attempts to the executor. Everything it needs to carry on
is in the database and the store, so after a restart it picks up where it stopped: an
attempt that was running is adopted (finished in the store, or its process or pod still
running), or recorded as lost and run again as a new attempt; succeeded nodes never run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from flyteidl.core import literals_pb2
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from latchlike.accounts.secrets import task_secrets
from latchlike.db import begin_writing, utcnow
from latchlike.engine import dag, subexec
from latchlike.engine.arrays import ArrayState
from latchlike.engine.executors import Executor, RunResult, TaskRun
from latchlike.engine.nodedata import NodeData
from latchlike.engine.phases import ABORTED, ABORTING, FAILED, QUEUED, RUNNING, SUCCEEDED
from latchlike.engine.plan import Plan, load_plan
from latchlike.engine.walk import ERROR_TAIL, START_BATCH, ExecutionWalk, run_key
from latchlike.errors import NotFound
from latchlike.executions.provenance import record_files
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow
from latchlike.files.written import record_outputs
from latchlike.platform import Platform

log = logging.getLogger(__name__)
KEPT_PLANS = 64
"""Workflow versions whose plans stay in memory; an older one is read again when needed."""
FULL_PASS_SECONDS = 30.0
"""How often every active execution is walked even if nothing said it changed."""
NEW_PER_STEP = 16
"""Executions first walked in one step: each step is one transaction holding SQLite's one
write turn, so a burst of launches is taken on in short steps that launches can slip
between, not in one long one they all wait for."""

LAUNCHES_FIRST_SECONDS = 1.0
"""How long the engine defers its next step to a burst of launches, at most (`LaunchQueue.settled`)."""


class Engine:
    def __init__(
        self,
        platform: Platform,
        executor: Executor,
        *,
        poll_seconds: float = 0.2,
        system_retries: int = 3,
        start_batch: int = START_BATCH,
    ) -> None:
        """`system_retries`: attempts a node gets again after crashes, evictions and lost pods;
        `start_batch`: map task items one step starts at most (the rest in the steps after)."""
        self._start_batch = start_batch
        self.busy = False
        """The last step left work for the next (new executions past `NEW_PER_STEP`, or map task
        items past a full start batch): step again at once."""
        self._platform = platform
        self._system_retries = system_retries
        self._executor = executor
        self._poll = poll_seconds
        self._running: dict[str, asyncio.Task[RunResult]] = {}
        self._plans: dict[tuple[str, str, str, str], Plan] = {}
        self._data = NodeData(platform.store, platform.settings.data_dir)
        self._rows: dict[int, dict[str, NodeExecutionRow]] = {}
        """Node rows of the executions walked so far, by execution id: read once, then kept."""
        self._arrays: dict[int, dict[str, ArrayState]] = {}
        """Their map tasks' states (`engine.arrays`), kept like the rows and built from them."""
        self._owners: dict[str, int] = {}
        """The execution each running attempt belongs to, by run key."""
        self._last_full_pass = 0.0
        self._waiting: set[int] = set()
        """Executions with a gate or a child execution to check on every step."""
        self._ended: list[tuple[str, str, str]] = []
        """Executions that ended in the step's walk (project, domain, name), for the executor."""
        self._started = False
        """The executor was told which executions are active (`Executor.sweep`)."""

    async def run_forever(self) -> None:
        while True:
            # Launches first: a burst is accepted before the engine takes the GIL and the
            # write turn to run it (it may lag; requests may not), within `LAUNCHES_FIRST_SECONDS`.
            await self._platform.launches.settled(LAUNCHES_FIRST_SECONDS)
            try:
                await self.step()
            except Exception:  # the loop must outlive any one bad execution
                log.exception("engine step failed")
            await asyncio.sleep(0 if self.busy else self._poll)

    async def step(self) -> None:
        if not self._started:  # before any attempt starts: what ended executions left may go
            await self._executor.sweep(await asyncio.to_thread(self._active))
            self._started = True
        finished = {key: _result(key, task) for key, task in self._running.items() if task.done()}
        for key in finished:
            del self._running[key]
        full_pass = time.monotonic() - self._last_full_pass > FULL_PASS_SECONDS
        try:
            to_start, to_cancel = await asyncio.to_thread(self._advance, finished, full_pass)
        except Exception:
            # The transaction rolled back: what the engine kept may be ahead of the database.
            # Read it all again; the attempts that finished meanwhile are found in the store.
            self._rows.clear()
            self._arrays.clear()
            self._ended.clear()
            raise
        if full_pass:
            self._last_full_pass = time.monotonic()
        for key in to_cancel:
            await self._executor.cancel(key)
        for run in to_start:
            self._running[run.key] = asyncio.create_task(self._executor.run(run))
        ended, self._ended = self._ended, []
        for project, domain, name in ended:
            await self._executor.ended(project, domain, name)

    def log(self, project: str, domain: str, execution: str, node_id: str, attempt: int) -> str:
        return self._executor.log(run_key(project, domain, execution, node_id, attempt))

    async def forget_secret(self, workspace: str, group: str, key: str) -> None:
        """A deleted secret leaves the executor's store of values too (a cluster's Secret)."""
        await self._executor.forget_secret(workspace, group, key)

    async def stop(self) -> None:
        for key, task in self._running.items():
            await self._executor.cancel(key)
            task.cancel()
        for task in self._running.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._running.clear()

    # Everything below runs in one worker thread at a time, inside one transaction.

    def _active(self) -> list[tuple[str, str, str]]:
        with self._platform.db.session() as session:
            active = ExecutionRow.phase.in_([QUEUED, RUNNING, ABORTING])
            query = select(ExecutionRow.project, ExecutionRow.domain, ExecutionRow.name).where(active)
            return [(project, domain, name) for project, domain, name in session.execute(query)]

    def _advance(self, finished: dict[str, RunResult], full_pass: bool) -> tuple[list[TaskRun], list[str]]:
        """Walk the executions something happened to: new, aborting, an attempt of theirs
        finished, a gate waits, or not seen since the server started (and, now and then, all of them)."""
        to_start: list[TaskRun] = []
        to_cancel: list[str] = []
        changed = {self._owners.pop(key) for key in finished if key in self._owners} | self._waiting
        new = 0
        behind = False
        budget = self._start_batch
        with self._platform.db.session() as session:
            active = (
                select(ExecutionRow)
                .where(ExecutionRow.phase.in_([QUEUED, RUNNING, ABORTING]))
                .order_by(ExecutionRow.id)
            )
            for execution in session.scalars(_locked(session, active)):
                first_walk = execution.id not in self._rows
                if first_walk and new >= NEW_PER_STEP and execution.id not in changed:
                    behind = True
                    continue
                new += first_walk
                if execution.phase == ABORTING:
                    to_cancel += self._abort(session, execution)
                elif full_pass or execution.id in changed or first_walk:
                    runs, budget = self._advance_execution(session, execution, finished, budget)
                    self._owners.update((run.key, execution.id) for run in runs)
                    to_start += runs
                if execution.phase not in (QUEUED, RUNNING):
                    self._rows.pop(execution.id, None)
                    self._arrays.pop(execution.id, None)
                    self._waiting.discard(execution.id)
                    self._ended.append((execution.project, execution.domain, execution.name))
        self.busy = behind or budget <= 0
        return to_start, to_cancel

    def _abort(self, session: Session, execution: ExecutionRow) -> list[str]:
        """Kill what runs, record every running node and the execution as ABORTED."""
        running = [n for n in self._node_rows(session, execution).values() if n.phase == RUNNING]
        for node in running:
            session.add(node)
            node.phase, node.finished_at = ABORTED, utcnow()
            if node.child_execution:
                subexec.abort_child(session, execution, node.child_execution)
        _finish(execution, ABORTED, error=execution.error)
        return [run_key(execution.project, execution.domain, execution.name, n.node_id, n.attempt) for n in running]

    def _advance_execution(
        self, session: Session, execution: ExecutionRow, finished: dict[str, RunResult], budget: int
    ) -> tuple[list[TaskRun], int]:
        """The attempts to start, and what is left of the step's `budget` of map task items."""
        if execution.phase == QUEUED:
            execution.phase, execution.started_at = RUNNING, utcnow()
            inputs = literals_pb2.LiteralMap.FromString(execution.inputs)
            record_files(session, self._platform.store, execution, inputs, direction="input")
        try:
            plan = self._plan(session, execution)
        except (dag.UnsupportedWorkflow, NotFound) as error:
            _finish(execution, FAILED, error=str(error))
            return [], budget
        walk = ExecutionWalk(
            data=self._data, session=session, execution=execution, plan=plan,
            rows=self._node_rows(session, execution), finished=finished, running=self._running.keys(),
            log_tail=lambda key: self._executor.log(key)[-ERROR_TAIL:],
            failure_kinds=lambda row: _failure_kinds(session, row), system_retries=self._system_retries,
            arrays=self._arrays.setdefault(execution.id, {}), start_budget=budget,
            secrets=lambda template: task_secrets(session, self._platform.secret_box, execution.project, template),
        )  # fmt: skip
        try:
            outcome, outputs = walk.run()
            if walk.waiting:
                self._waiting.add(execution.id)
            else:
                self._waiting.discard(execution.id)
        except (ValueError, KeyError) as error:  # inputs a node cannot be given: the workflow is wrong
            _finish(execution, FAILED, error=f"cannot go on: {error}")
            return walk.to_start, walk.start_budget
        if outcome.phase == SUCCEEDED and (problem := record_outputs(session, self._platform.store, execution,
                                                                     self._platform.staging_dir)):  # fmt: skip
            _finish(execution, FAILED, error=problem)
        elif outcome.phase != RUNNING:
            _finish(execution, outcome.phase, error=outcome.error, outputs=outputs)
        return self._within_parallelism(execution, walk.to_start), walk.start_budget

    def _within_parallelism(self, execution: ExecutionRow, runs: list[TaskRun]) -> list[TaskRun]:
        """At most `max_parallelism` attempts of one execution run at once. The others stay
        RUNNING without a process, and the walk after an attempt ends starts them (as after a restart)."""
        if not execution.max_parallelism:
            return runs
        running = sum(1 for key, owner in self._owners.items() if owner == execution.id and key in self._running)
        return runs[: max(0, execution.max_parallelism - running)]

    def _plan(self, session: Session, execution: ExecutionRow) -> Plan:
        key = (execution.project, execution.domain, execution.workflow, execution.version)
        if key not in self._plans:
            if len(self._plans) >= KEPT_PLANS:
                self._plans.pop(next(iter(self._plans)))
            self._plans[key] = load_plan(session, *key)
        return self._plans[key]

    def _node_rows(self, session: Session, execution: ExecutionRow) -> dict[str, NodeExecutionRow]:
        """The latest attempt of each node: read the first time, then the ones the engine keeps."""
        if execution.id not in self._rows:
            rows = session.scalars(
                select(NodeExecutionRow)
                .where(NodeExecutionRow.execution_id == execution.id)
                .order_by(NodeExecutionRow.attempt)
            )
            self._rows[execution.id] = {row.node_id: row for row in rows}
        return self._rows[execution.id]


def _locked(session: Session, active: Select[ExecutionRow]) -> Select[ExecutionRow]:
    """The active executions, held until the step commits: an abort committed meanwhile
    must not be overwritten by what the step read before it. PostgreSQL locks the rows;
    SQLite (whose driver would begin the transaction only at the first write) takes the
    database's write lock now."""
    begin_writing(session)
    return active.with_for_update()


def _result(key: str, task: asyncio.Task[RunResult]) -> RunResult:
    """How an attempt ended; an executor that failed to say counts as a crash (retried)."""
    try:
        return task.result()
    except Exception:
        log.exception("the executor failed running %s", key)
        return RunResult(key, -1, None)


def _failure_kinds(session: Session, row: NodeExecutionRow) -> list[str]:
    failed = (
        NodeExecutionRow.execution_id == row.execution_id,
        NodeExecutionRow.node_id == row.node_id,
        NodeExecutionRow.error_kind.is_not(None),
    )
    return [kind for kind in session.scalars(select(NodeExecutionRow.error_kind).where(*failed)) if kind is not None]


def _finish(
    execution: ExecutionRow, phase: str, *, error: str | None = None, outputs: literals_pb2.LiteralMap | None = None
) -> None:
    execution.phase, execution.error, execution.finished_at = phase, error, utcnow()
    if outputs is not None:
        execution.outputs = outputs.SerializeToString(deterministic=True)
