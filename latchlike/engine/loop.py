"""The engine: the one writer of execution state.

Each step drains finished task attempts, then, in one database transaction, records
their outcomes, starts queued executions, decides which nodes are ready (`dag`), writes
their `inputs.pb` and hands the attempts to the executor. Everything it needs to carry on
is in the database and the store, so after a restart it picks up where it stopped:
attempts that were running are run again, succeeded nodes never are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flyteidl.admin import workflow_pb2
from flyteidl.core import errors_pb2, literals_pb2, tasks_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.db import utcnow
from latchlike.engine import cache, dag
from latchlike.engine.executors import Executor, RunResult, TaskRun
from latchlike.errors import NotFound
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow
from latchlike.platform import Platform
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.service import get_entity
from latchlike.store.keys import attempt_prefix

log = logging.getLogger(__name__)
FLYTEKIT_ENTRY_POINTS = frozenset({"pyflyte-execute", "pyflyte-fast-execute", "pyflyte-map-execute"})
RUNNING, SUCCEEDED, FAILED, QUEUED = "RUNNING", "SUCCEEDED", "FAILED", "QUEUED"
ABORTING, ABORTED = "ABORTING", "ABORTED"
RETRYABLE = "RETRYABLE_FAILURE"
"""An attempt that failed in a way worth another try: a recoverable error or a crash."""


@dataclass(frozen=True)
class _Plan:
    """What the engine needs of a registered workflow version, read once."""

    template: workflow_pb2.WorkflowClosure
    steps: dict[str, dag.Step]
    tasks: dict[str, tasks_pb2.TaskTemplate]


class Engine:
    def __init__(self, platform: Platform, executor: Executor, *, poll_seconds: float = 0.2) -> None:
        self._platform = platform
        self._executor = executor
        self._poll = poll_seconds
        self._running: dict[str, asyncio.Task[RunResult]] = {}
        self._plans: dict[tuple[str, str, str, str], _Plan] = {}

    async def run_forever(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:  # the loop must outlive any one bad execution
                log.exception("engine step failed")
            await asyncio.sleep(self._poll)

    async def step(self) -> None:
        finished = {key: task.result() for key, task in self._running.items() if task.done()}
        for key in finished:
            del self._running[key]
        to_start, to_cancel = await asyncio.to_thread(self._advance, finished)
        for key in to_cancel:
            await self._executor.cancel(key)
        for run in to_start:
            self._running[run.key] = asyncio.create_task(self._executor.run(run))

    def log(self, project: str, domain: str, execution: str, node_id: str, attempt: int) -> str:
        return self._executor.log(run_key(project, domain, execution, node_id, attempt))

    async def stop(self) -> None:
        for key, task in self._running.items():
            await self._executor.cancel(key)
            task.cancel()
        for task in self._running.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._running.clear()

    # Everything below runs in one worker thread at a time, inside one transaction.

    def _advance(self, finished: dict[str, RunResult]) -> tuple[list[TaskRun], list[str]]:
        to_start: list[TaskRun] = []
        to_cancel: list[str] = []
        with self._platform.db.session() as session:
            active = select(ExecutionRow).where(ExecutionRow.phase.in_([QUEUED, RUNNING, ABORTING]))
            for execution in session.scalars(active):
                if execution.phase == ABORTING:
                    to_cancel += self._abort(session, execution)
                else:
                    to_start += self._advance_execution(session, execution, finished)
        return to_start, to_cancel

    def _abort(self, session: Session, execution: ExecutionRow) -> list[str]:
        """Kill what runs, record every running attempt and the execution as ABORTED."""
        running = [n for n in self._latest_attempts(session, execution).values() if n.phase == RUNNING]
        for node in running:
            node.phase, node.finished_at = ABORTED, utcnow()
        self._finish(execution, ABORTED, error=execution.error)
        return [_run_key(execution, node) for node in running]

    def _advance_execution(
        self, session: Session, execution: ExecutionRow, finished: dict[str, RunResult]
    ) -> list[TaskRun]:
        if execution.phase == QUEUED:
            execution.phase, execution.started_at = RUNNING, utcnow()
        try:
            plan = self._plan(session, execution)
        except (dag.UnsupportedWorkflow, NotFound) as error:
            self._finish(execution, FAILED, error=str(error))
            return []
        nodes = self._latest_attempts(session, execution)
        for node in nodes.values():
            key = _run_key(execution, node)
            if node.phase == RUNNING and key in finished:
                self._record_outcome(session, execution, plan, node, finished[key])
        to_start = []
        # Attempts the database says are running but no process is: the server restarted.
        for node in nodes.values():
            if node.phase == RUNNING and _run_key(execution, node) not in self._running:
                to_start.append(self._task_run(execution, plan, node))
        retry = [n for n in nodes.values() if n.phase == RETRYABLE and n.attempt <= _retries(plan, n.node_id)]
        failed = [n for n in nodes.values() if n.phase in (FAILED, RETRYABLE) and n not in retry]
        running = [n for n in nodes.values() if n.phase == RUNNING]
        if failed:
            if not running and not to_start:
                first = failed[0]
                self._finish(execution, FAILED, error=f"node {first.node_id} ({first.task}) failed: {first.error}")
            return to_start
        succeeded = {n.node_id for n in nodes.values() if n.phase == SUCCEEDED}
        if succeeded == set(plan.steps):
            outputs = {node_id: self._outputs(execution, nodes[node_id]) for node_id in succeeded}
            inputs = literals_pb2.LiteralMap.FromString(execution.inputs)
            result = dag.workflow_outputs(plan.template.compiled_workflow.primary.template, inputs, outputs)
            self._finish(execution, SUCCEEDED, outputs=result)
            return to_start
        starts = [(node.node_id, node.attempt + 1) for node in retry]
        starts += [(step.id, 1) for step in dag.ready(plan.steps, succeeded, set(nodes))]
        for node_id, attempt in starts:
            run = self._start_attempt(session, execution, plan, node_id, attempt, nodes)
            if run is not None:
                to_start.append(run)
        return to_start

    def _plan(self, session: Session, execution: ExecutionRow) -> _Plan:
        key = (execution.project, execution.domain, execution.workflow, execution.version)
        if key not in self._plans:
            stored = get_entity(session, EntityId(ResourceKind.WORKFLOW, *key))
            closure = workflow_pb2.WorkflowClosure.FromString(stored.compiled)
            tasks = {
                _task_key(entity_id(task.template.id, ResourceKind.TASK)): task.template
                for task in closure.compiled_workflow.tasks
            }
            self._plans[key] = _Plan(closure, dag.steps(closure.compiled_workflow.primary.template), tasks)
        return self._plans[key]

    def _latest_attempts(self, session: Session, execution: ExecutionRow) -> dict[str, NodeExecutionRow]:
        rows = session.scalars(
            select(NodeExecutionRow)
            .where(NodeExecutionRow.execution_id == execution.id)
            .order_by(NodeExecutionRow.attempt)
        )
        return {row.node_id: row for row in rows}

    def _start_attempt(
        self,
        session: Session,
        execution: ExecutionRow,
        plan: _Plan,
        node_id: str,
        attempt: int,
        nodes: dict[str, NodeExecutionRow],
    ) -> TaskRun | None:
        """The attempt's process to run; None when the task's cache already has its outputs."""
        step = plan.steps[node_id]
        upstream = {up: self._outputs(execution, nodes[up]) for up in step.upstream}
        inputs = dag.node_inputs(step, literals_pb2.LiteralMap.FromString(execution.inputs), upstream)
        template = _template(plan, node_id)
        cached = (
            cache.lookup(session, template, cache.cache_key(template, inputs))
            if template.metadata.discoverable
            else None
        )
        row = NodeExecutionRow(
            execution_id=execution.id,
            node_id=node_id,
            attempt=attempt,
            task=template.id.name,
            phase=RUNNING if cached is None else SUCCEEDED,
            cache_hit=cached is not None,
            finished_at=None if cached is None else utcnow(),
        )
        session.add(row)
        session.flush()
        nodes[node_id] = row
        self._write(execution, row, "inputs.pb", inputs.SerializeToString(deterministic=True))
        if cached is not None:
            self._write(execution, row, "outputs.pb", cached.SerializeToString(deterministic=True))
            return None
        return self._task_run(execution, plan, row)

    def _task_run(self, execution: ExecutionRow, plan: _Plan, node: NodeExecutionRow) -> TaskRun:
        store = self._platform.store
        template = _template(plan, node.node_id)
        prefix = _prefix(execution, node)
        previous = _prefix(execution, node, node.attempt - 1) + "/checkpoint" if node.attempt > 1 else ""
        values = {
            "{{.input}}": store.uri(prefix + "/inputs.pb"),
            "{{.Input}}": store.uri(prefix + "/inputs.pb"),
            "{{.outputPrefix}}": store.uri(prefix),
            "{{.OutputPrefix}}": store.uri(prefix),
            "{{.rawOutputDataPrefix}}": store.uri(prefix + "/raw"),
            "{{.RawOutputDataPrefix}}": store.uri(prefix + "/raw"),
            "{{.checkpointOutputPrefix}}": store.uri(prefix + "/checkpoint"),
            "{{.prevCheckpointPrefix}}": store.uri(previous) if previous else "",
        }
        command = [values.get(arg, arg) for arg in (*template.container.command, *template.container.args)]
        if command and command[0] in FLYTEKIT_ENTRY_POINTS:
            command[0] = str(Path(sys.executable).with_name(command[0]))
        env = {
            **os.environ,
            **{pair.key: pair.value for pair in template.container.env},
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "FLYTE_INTERNAL_EXECUTION_ID": execution.name,
            "FLYTE_INTERNAL_EXECUTION_PROJECT": execution.project,
            "FLYTE_INTERNAL_EXECUTION_DOMAIN": execution.domain,
            "FLYTE_ATTEMPT_NUMBER": str(node.attempt - 1),
        }
        timeout = (
            template.metadata.timeout.ToTimedelta().total_seconds() if template.metadata.HasField("timeout") else None
        )
        return TaskRun(_run_key(execution, node), tuple(command), env, timeout or None)

    def _record_outcome(
        self, session: Session, execution: ExecutionRow, plan: _Plan, node: NodeExecutionRow, result: RunResult
    ) -> None:
        """Success is `outputs.pb`; `error.pb` is the task's own error (pyflyte-execute exits 0
        on it); neither is a crash, a system error."""
        store = self._platform.store
        prefix = _prefix(execution, node)
        node.finished_at = utcnow()
        if result.timed_out:
            # As in Flyte, a timeout is worth another attempt if the task declares retries.
            node.phase = RETRYABLE
            node.error = f"the task ran past its timeout and was stopped\n{self._executor.log(result.key)[-2000:]}"
        elif store.exists(prefix + "/error.pb"):
            with store.open(prefix + "/error.pb") as raw:
                error = errors_pb2.ErrorDocument.FromString(raw.read()).error
            recoverable = error.kind == errors_pb2.ContainerError.Kind.RECOVERABLE
            node.phase, node.error = (RETRYABLE if recoverable else FAILED), f"{error.code}: {error.message}".strip()
        elif store.exists(prefix + "/outputs.pb"):
            node.phase = SUCCEEDED
            template = _template(plan, node.node_id)
            if template.metadata.discoverable:
                with store.open(prefix + "/inputs.pb") as raw:
                    inputs = literals_pb2.LiteralMap.FromString(raw.read())
                key = cache.cache_key(template, inputs)
                outputs = self._outputs(execution, node)
                cache.remember(session, template, key, outputs, execution=execution.name, node_id=node.node_id)
        else:
            tail = self._executor.log(result.key)[-2000:]
            node.phase = RETRYABLE
            node.error = f"the task process exited with code {result.exit_code} and wrote no outputs\n{tail}"

    def _outputs(self, execution: ExecutionRow, node: NodeExecutionRow) -> literals_pb2.LiteralMap:
        with self._platform.store.open(_prefix(execution, node) + "/outputs.pb") as raw:
            return literals_pb2.LiteralMap.FromString(raw.read())

    def _write(self, execution: ExecutionRow, node: NodeExecutionRow, name: str, data: bytes) -> None:
        with tempfile.NamedTemporaryFile(dir=self._platform.settings.data_dir, delete=False) as staged:
            staged.write(data)
        self._platform.store.put_file(_prefix(execution, node) + "/" + name, Path(staged.name))

    def _finish(
        self, execution: ExecutionRow, phase: str, *, error: str | None = None,
        outputs: literals_pb2.LiteralMap | None = None,
    ) -> None:  # fmt: skip
        execution.phase, execution.error, execution.finished_at = phase, error, utcnow()
        if outputs is not None:
            execution.outputs = outputs.SerializeToString(deterministic=True)


def _prefix(execution: ExecutionRow, node: NodeExecutionRow, attempt: int | None = None) -> str:
    return attempt_prefix(
        execution.project, execution.domain, execution.name, node.node_id, node.attempt if attempt is None else attempt
    )


def _run_key(execution: ExecutionRow, node: NodeExecutionRow) -> str:
    return run_key(execution.project, execution.domain, execution.name, node.node_id, node.attempt)


def run_key(project: str, domain: str, execution: str, node_id: str, attempt: int) -> str:
    """Names one attempt's process and log; the parts are store-key safe, so is this."""
    return f"{project}-{domain}-{execution}-{node_id}-{attempt}"


def _task_key(task_id: EntityId) -> str:
    return f"{task_id.project}/{task_id.domain}/{task_id.name}/{task_id.version}"


def _template(plan: _Plan, node_id: str) -> tasks_pb2.TaskTemplate:
    return plan.tasks[_task_key(entity_id(plan.steps[node_id].node.task_node.reference_id, ResourceKind.TASK))]


def _retries(plan: _Plan, node_id: str) -> int:
    return int(_template(plan, node_id).metadata.retries.retries)
