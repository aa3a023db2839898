"""One pass of the engine over one execution: record the attempts that finished, start
what became ready, and say whether the execution is still running, succeeded or failed.

Every node has rows keyed by its path: a top-level node by its id (`n1`); a node inside a
sub-workflow or dynamic workflow, or the case a branch took, by `<parent>-0-<id>` (as
propeller names them); a map task's item by `<array node>-<index>`. A workflow, branch or array node's own row is
running while its children run and ends with them, its `outputs.pb` written from theirs,
so the rows and the store alone say where an execution stands after a restart.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace

from flyteidl.core import dynamic_job_pb2, errors_pb2, execution_pb2, literals_pb2, tasks_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from sqlalchemy.orm import Session

from latchlike.db import utcnow
from latchlike.engine import cache, commands, dag, echo, gates, recovery, subexec
from latchlike.engine.arrays import ArrayState
from latchlike.engine.conditions import BranchFailed, chosen_node
from latchlike.engine.executors import RunResult, TaskRun
from latchlike.engine.executors.secrets import TaskSecrets
from latchlike.engine.hints import import_hint
from latchlike.engine.itemrows import ItemWrites
from latchlike.engine.nodedata import NodeData, Unreadable, parsing
from latchlike.engine.phases import ABORTED, FAILED, RETRYABLE, RUNNING, SUCCEEDED
from latchlike.engine.plan import PRIMARY, Plan, Scope
from latchlike.engine.stuck import stuck_error
from latchlike.errors import NotFound
from latchlike.executions.provenance import record_files
from latchlike.executions.signals import ensure_signal
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow
from latchlike.store.keys import attempt_prefix

FUTURES = "futures.pb"
"""What a dynamic task writes instead of its outputs: the workflow to run for them."""
KEPT_SCOPES = 256
"""Dynamic workflows kept read; an older one is read again from its `futures.pb`."""
ERROR_TAIL = 2000
"""How much of a crashed attempt's log its error keeps."""
LOST = "lost with the server: it was running when the server stopped and left no outputs"
UNREADABLE_LOST = "lost with the server: it was running when the server stopped"
USER, SYSTEM = "USER", "SYSTEM"
"""Whose fault a failed attempt was: the task's code, or the platform under it."""
START_BATCH = 250
"""Map task items one engine step starts, at most (`ExecutionWalk.start_budget`)."""


class Kind:
    """What a node row stands for."""

    TASK, ITEM, WORKFLOW, BRANCH, ARRAY = "task", "item", "workflow", "branch", "array"
    DYNAMIC = "dynamic"
    GATE = "gate"
    LAUNCH_PLAN = "launchplan"
    """A node that runs a launch plan as its own, child execution (`engine.subexec`)."""
    """A sleep, an approval or an input a person gives (`engine.gates`)."""
    """A task attempt that answered with a workflow to run (`@dynamic`): its nodes are its children."""


_PARENT_KIND = {"workflow_node": Kind.WORKFLOW, "branch_node": Kind.BRANCH, "array_node": Kind.ARRAY}
_PARENTS = frozenset({*_PARENT_KIND.values(), Kind.DYNAMIC})


@dataclass(frozen=True)
class Outcome:
    phase: str
    """RUNNING, SUCCEEDED or FAILED."""
    error: str | None = None


_RUNNING, _SUCCEEDED = Outcome(RUNNING), Outcome(SUCCEEDED)


@dataclass(frozen=True)
class _Frame:
    """A template being walked: where its node rows live and what it was given."""

    scope: Scope
    inputs: literals_pb2.LiteralMap
    prefix: str
    parent: str | None


@dataclass
class ExecutionWalk:
    data: NodeData
    session: Session
    execution: ExecutionRow
    plan: Plan
    rows: dict[str, NodeExecutionRow]
    """The latest attempt of every node, by path. Kept by the engine from step to step
    (it is their only writer), so a row the walk changes is added to the session."""
    finished: Mapping[str, RunResult]
    running: Collection[str]
    """Run keys the executor holds; a RUNNING row missing here lost its process in a restart."""
    log_tail: Callable[[str], str]
    failure_kinds: Callable[[NodeExecutionRow], list[str]]
    """How each attempt of the row's node so far failed (USER or SYSTEM), read when needed."""
    system_retries: int
    arrays: dict[str, ArrayState] = field(default_factory=dict)
    """Each map task's state, by its node's path; kept by the engine like `rows`."""
    start_budget: int = START_BATCH
    """Map task items this walk may still start; the rest wait for the next step, so the
    step commits and the executor starts the first batch at once."""
    to_start: list[TaskRun] = field(default_factory=list)
    waiting: bool = False
    """A node waits on time or on someone (a gate), or a map task has items left to start:
    walk again soon even if no attempt ends."""
    secrets: Callable[[tasks_pb2.TaskTemplate], TaskSecrets | None] = lambda _: None
    """A task's `secret_requests` with their values from the execution's workspace."""
    _commands: dict[tuple[str, str], commands.TaskCommand] = field(default_factory=dict, init=False)
    """Each task's command, worked out once per walk (a map task's items share it)."""
    _items: ItemWrites = field(default_factory=ItemWrites, init=False)
    """Map task items' rows, written in bulk (`itemrows`), not through the session."""

    def run(self) -> tuple[Outcome, literals_pb2.LiteralMap | None]:
        """The execution's outcome, with its outputs when it succeeded."""
        primary = self.plan.templates[PRIMARY]
        frame = _Frame(primary, literals_pb2.LiteralMap.FromString(self.execution.inputs), "", None)
        try:
            outcome = self._walk(frame)
            outputs = self._template_outputs(frame) if outcome.phase == SUCCEEDED else None
        finally:  # also when the walk fails the execution: the items it started are running
            self._items.flush(self.session)
        return outcome, outputs

    # A template: its nodes in order, each started once its upstream nodes succeeded.

    def _walk(self, frame: _Frame) -> Outcome:
        succeeded: set[str] = set()
        failure: Outcome | None = None
        running = False
        for step in frame.scope.steps.values():
            path = frame.prefix + step.id
            row = self.rows.get(path)
            if row is None:
                if failure is not None or not step.upstream <= succeeded:
                    continue
                outcome = self._start(step.node, path, frame)
            else:
                outcome = self._advance(step.node, row, frame)
            if outcome.phase == SUCCEEDED:
                succeeded.add(step.id)
            elif outcome.phase == FAILED:
                failure = failure or outcome
            else:
                running = True
        if running:
            return _RUNNING
        if failure is None and len(succeeded) < len(frame.scope.steps):
            return Outcome(FAILED, stuck_error(frame.prefix, frame.scope.steps, succeeded))
        return failure or _SUCCEEDED

    def _template_outputs(self, frame: _Frame) -> literals_pb2.LiteralMap:
        return dag.workflow_outputs(frame.scope.template, frame.inputs, _Outputs(self, frame.prefix))

    def _start(self, node: core_workflow_pb2.Node, path: str, frame: _Frame) -> Outcome:
        recovers = self.execution.recovered_from
        reused = recovery.succeeded_attempt(self.session, self.execution, path) if recovers else None
        if recovers and reused:
            return self._reuse(reused, frame.parent, recovers)
        inputs = dag.node_inputs(node, frame.inputs, _Outputs(self, frame.prefix))
        kind = _PARENT_KIND.get(node.WhichOneof("target") or "")
        if node.HasField("gate_node"):
            kind = Kind.GATE
        elif node.workflow_node.HasField("launchplan_ref"):
            kind = Kind.LAUNCH_PLAN
        elif kind is None:
            return self._start_attempt(node, path, frame.parent, 1, Kind.TASK, inputs)
        task = self.plan.task(node).id.name if kind == Kind.ARRAY else ""
        row = self._add_row(path, frame.parent, 1, kind, task=task, phase=RUNNING)
        self.data.write(self._prefix(row) + "/inputs.pb", inputs)
        return self._advance(node, row, frame)

    def _reuse(self, source: NodeExecutionRow, parent: str | None, old: str) -> Outcome:
        """A node that succeeded in execution `old`, which this one recovers: its data, not a new run."""
        row = self._add_row(source.node_id, parent, 1, source.kind, task=source.task, phase=SUCCEEDED)
        row.finished_at = utcnow()
        project, domain, _ = self._execution_path
        inputs = self.data.read(attempt_prefix(project, domain, old, source.node_id, 1) + "/inputs.pb")
        self.data.write(self._prefix(row) + "/inputs.pb", inputs)
        outputs = self.data.read(attempt_prefix(project, domain, old, source.node_id, source.attempt) + "/outputs.pb")
        self.data.write(self._prefix(row) + "/outputs.pb", outputs)
        return _SUCCEEDED

    def _advance(self, node: core_workflow_pb2.Node, row: NodeExecutionRow, frame: _Frame) -> Outcome:
        if row.kind in (Kind.TASK, Kind.ITEM):
            outcome = self._advance_attempt(node, row)
            if row.kind != Kind.DYNAMIC:  # it just answered with a workflow: run that below
                return outcome
        if row.phase != RUNNING:
            return _ended(row)
        match row.kind:
            case Kind.WORKFLOW | Kind.DYNAMIC:
                scope = self.plan.sub_workflow(node) if row.kind == Kind.WORKFLOW else self._dynamic(row)
                inputs = self._inputs(row) if row.kind == Kind.WORKFLOW else literals_pb2.LiteralMap()
                child = _Frame(scope, inputs, row.node_id + "-0-", row.node_id)
                outcome = self._walk(child)
                outputs = self._template_outputs(child) if outcome.phase == SUCCEEDED else None
            case Kind.BRANCH:
                outcome, outputs = self._advance_branch(node, row, frame)
            case Kind.GATE:
                outcome, outputs = self._advance_gate(node, row)
            case Kind.LAUNCH_PLAN:
                outcome, outputs = self._advance_child(node, row)
            case _:
                outcome, outputs = self._advance_array(node, row)
        if outcome.phase == RUNNING:
            return outcome
        self.session.add(row)  # the engine keeps rows between steps: attach the one it changes
        row.phase, row.error, row.finished_at = outcome.phase, outcome.error, utcnow()
        if outputs is not None:
            self.data.write(self._prefix(row) + "/outputs.pb", outputs)
        return _ended(row)

    def _dynamic(self, row: NodeExecutionRow) -> Scope:
        """The workflow a dynamic task answered with (`futures.pb`); its inputs are bound to
        literals, its tasks and sub-workflows come with it."""
        key = self._prefix(row) + "/" + FUTURES
        scope = self.data.scopes.get(key)
        if scope is None:
            with self.data.store.open(key) as raw:
                spec = dynamic_job_pb2.DynamicJobSpec.FromString(raw.read())
            self.plan.add(spec.tasks, spec.subworkflows)
            template = core_workflow_pb2.WorkflowTemplate(nodes=spec.nodes, outputs=spec.outputs)
            scope = self.data.scopes[key] = Scope(template, dag.steps(template))
            if len(self.data.scopes) > KEPT_SCOPES:
                self.data.scopes.pop(next(iter(self.data.scopes)))
        return scope

    # Branch nodes: the first case whose condition holds runs, in the enclosing template.

    def _advance_branch(
        self, node: core_workflow_pb2.Node, row: NodeExecutionRow, frame: _Frame
    ) -> tuple[Outcome, literals_pb2.LiteralMap | None]:
        try:
            case = chosen_node(node.branch_node, self._inputs(row))
        except BranchFailed as error:
            return Outcome(FAILED, f"node {row.node_id}: {error}"), None
        path = f"{row.node_id}-0-{case.id}"
        case_row = self.rows.get(path)
        inner = _Frame(frame.scope, frame.inputs, frame.prefix, row.node_id)
        outcome = self._start(case, path, inner) if case_row is None else self._advance(case, case_row, inner)
        outputs = self._outputs(self.rows[path]) if outcome.phase == SUCCEEDED else None
        return outcome, outputs

    def _advance_gate(
        self, node: core_workflow_pb2.Node, row: NodeExecutionRow
    ) -> tuple[Outcome, literals_pb2.LiteralMap | None]:
        signal = gates.signal_of(node.gate_node)
        value = ensure_signal(self.session, self.execution.id, *signal) if signal else None
        waited = gates.decide(
            node,
            started_at=row.started_at,
            now=utcnow(),
            signal=literals_pb2.Literal.FromString(value) if value is not None else None,
            inputs=self._inputs(row),
        )
        self.waiting = self.waiting or waited.phase == RUNNING
        return Outcome(waited.phase, waited.error), waited.outputs

    def _advance_child(
        self, node: core_workflow_pb2.Node, row: NodeExecutionRow
    ) -> tuple[Outcome, literals_pb2.LiteralMap | None]:
        if row.child_execution is None:
            inputs = self._inputs(row)
            started = subexec.start_child(self.session, self.data.store, self.execution, node, row.node_id, inputs)
            if isinstance(started, subexec.ChildState):
                return Outcome(started.phase, started.error), None
            self.session.add(row)
            row.child_execution = started
        state = subexec.child_state(self.session, self.execution, row.child_execution)
        self.waiting = self.waiting or state.phase == RUNNING
        return Outcome(state.phase, state.error), state.outputs

    # Array nodes (map tasks): one attempt per item, all reading the array node's inputs.

    def _advance_array(
        self, node: core_workflow_pb2.Node, row: NodeExecutionRow
    ) -> tuple[Outcome, literals_pb2.LiteralMap | None]:
        """Looks only at items whose attempts ended (or that `to_check` names), then starts
        what `parallelism` and the step's budget allow."""
        state = self.arrays.get(row.node_id) or self._array_state(node, row)
        changed = state.to_check
        state.to_check = set()
        changed.update(state.running[key] for key in self.finished if key in state.running)
        for index in sorted(changed):
            path = f"{row.node_id}-{index}"
            state.running.pop(self.run_key(self.rows[path]), None)
            self._count_item(state, index, path, self._advance_attempt(node, self.rows[path]))
        while state.may_start() and self.start_budget > 0:
            index, state.next_index = state.next_index, state.next_index + 1
            path = f"{row.node_id}-{index}"
            if path in self.rows:  # already counted when the state was built
                continue
            self.start_budget -= 1
            self._count_item(state, index, path, self._start_attempt(node, path, row.node_id, 1, Kind.ITEM, None))
        self.waiting = self.waiting or state.may_start()
        if not state.done():
            return _RUNNING, None
        del self.arrays[row.node_id]
        if state.failing:
            what = f"node {row.node_id} ({self.plan.task(node).id.name})"
            failed = f"{len(state.failures)} of {state.size} items failed; first {state.first_failure()}"
            return Outcome(FAILED, f"{what}: {failed}"), None
        items = [
            self._outputs(item) if (item := self.rows[f"{row.node_id}-{index}"]).phase == SUCCEEDED else None
            for index in range(state.size)
        ]
        names = list(self.plan.task(node).interface.outputs.variables)
        return _SUCCEEDED, dag.array_outputs(items, names)

    def _array_state(self, node: core_workflow_pb2.Node, row: NodeExecutionRow) -> ArrayState:
        """A map task's state from its rows: new, or after a restart every item with a row is
        looked at once (recorded, retried or run again, as the walk does any attempt)."""
        array = node.array_node
        size = dag.array_size(array, self._inputs(row))
        limit = array.parallelism if array.WhichOneof("parallelism_option") and array.parallelism > 0 else size
        state = ArrayState(size, limit, size - _required_successes(array, size))
        prefix = row.node_id + "-"
        state.to_check = {
            index
            for path in self.rows
            if path.startswith(prefix) and (index := _item_index(path.removeprefix(prefix))) is not None
        }
        self.arrays[row.node_id] = state
        return state

    def _count_item(self, state: ArrayState, index: int, path: str, outcome: Outcome) -> None:
        if outcome.phase == RUNNING:
            key = self.run_key(self.rows[path])  # a retry's, if the attempt before it just failed
            state.running[key] = index
            if key not in self.running:
                state.to_check.add(index)
        elif outcome.phase == SUCCEEDED:
            state.succeeded += 1
        else:
            state.failures[index] = outcome.error or ""

    # Task attempts.

    def _start_attempt(
        self,
        node: core_workflow_pb2.Node,
        path: str,
        parent: str | None,
        attempt: int,
        kind: str,
        inputs: literals_pb2.LiteralMap | None,
    ) -> Outcome:
        """`inputs` is None for a map task's item (it reads its array node's) and for a retry
        (it reads the first attempt's)."""
        template = self.plan.task(node)
        if inputs is None and kind == Kind.TASK:
            inputs = self._inputs(self.rows[path])
        cached = None
        reads_cache = template.metadata.discoverable and not self.execution.overwrite_cache
        if kind == Kind.TASK and reads_cache and inputs is not None:
            cached = cache.lookup(self.session, template, cache.cache_key(template, inputs))
        done = cached if cached is not None else echo.in_process(template, inputs)  # no process to run
        phase = RUNNING if done is None else SUCCEEDED
        row = self._add_row(path, parent, attempt, kind, task=template.id.name, phase=phase)
        row.cache_hit = cached is not None
        if inputs is not None:
            self.data.write(self._prefix(row) + "/inputs.pb", inputs)
        if done is not None:
            row.finished_at = utcnow()
            self.data.write(self._prefix(row) + "/outputs.pb", done)
            return _SUCCEEDED
        self.to_start.append(self._task_run(node, row, template))
        return _RUNNING

    def _advance_attempt(self, node: core_workflow_pb2.Node, row: NodeExecutionRow) -> Outcome:
        key = self.run_key(row)
        if row.phase == RUNNING:
            if key in self.finished:
                self._record(row, self.plan.task(node), self.finished[key])
                if row.kind == Kind.DYNAMIC:
                    return _RUNNING
            elif key not in self.running:  # running when the server stopped
                if not self._ended_in_store(row):
                    self.to_start.append(replace(self._task_run(node, row, self.plan.task(node)), resume=True))
                    return _RUNNING
                self._record(row, self.plan.task(node), RunResult(key, 0, None), adopted=True)  # it ended meanwhile
                if row.kind == Kind.DYNAMIC:
                    return _RUNNING
            else:
                return _RUNNING
        if row.phase == RETRYABLE and self._may_retry(node, row):
            return self._start_attempt(node, row.node_id, row.parent_id, row.attempt + 1, row.kind, None)
        return _ended(row)

    def _may_retry(self, node: core_workflow_pb2.Node, row: NodeExecutionRow) -> bool:
        """As in Flyte, two budgets: the task's `retries` for its own recoverable errors (and
        timeouts), the platform's `system_retries` for crashes, evictions and lost pods."""
        self._items.flush(self.session)  # the attempt just recorded counts
        failures = Counter(self.failure_kinds(row))
        if row.error_kind == SYSTEM:
            return failures[SYSTEM] <= self.system_retries
        return failures[USER] <= self.plan.task(node).metadata.retries.retries

    def _task_run(
        self, node: core_workflow_pb2.Node, row: NodeExecutionRow, template: tasks_pb2.TaskTemplate
    ) -> TaskRun:
        index = None
        if row.kind == Kind.ITEM:
            assert row.parent_id is not None
            index = int(row.node_id.rsplit("-", 1)[1])
            inputs_key = _attempt_prefix(*self._execution_path, row.parent_id, 1) + "/inputs.pb"
        else:
            inputs_key = self._prefix(row) + "/inputs.pb"
        command = self._commands.get((template.id.name, template.id.version))
        if command is None:
            command = self._commands[template.id.name, template.id.version] = commands.TaskCommand(
                self.data.store,
                template,
                env=self.execution.envs or {},
                user_labels=self.execution.labels or {},
                annotations=self.execution.annotations or {},
                secrets=self.secrets(template),
            )
        return command.run(
            key=self.run_key(row),
            inputs_key=inputs_key,
            prefix=self._prefix(row),
            previous_prefix=self._prefix(row, row.attempt - 1) if row.attempt > 1 else None,
            env=commands.flyte_env(*self._execution_path, row.attempt, index),
            labels={"execution": self.execution.name, "workflow": self.execution.workflow, "node": row.node_id},
        )

    def _record(
        self, row: NodeExecutionRow, template: tasks_pb2.TaskTemplate, result: RunResult, *, adopted: bool = False
    ) -> None:
        """Success is `outputs.pb`; `error.pb` is the task's own error (pyflyte-execute exits 0
        on it); neither is a crash, a system error, worth another attempt. `adopted`: it ended
        while no server ran."""
        if row.kind == Kind.ITEM:
            self._items.update(row)
        else:
            self.session.add(row)
        row.finished_at = utcnow()
        if result.out_of_memory:
            # As in Flyte, running out of memory is the task's own failure: its retries apply.
            row.phase, row.error_kind = RETRYABLE, USER
            row.error = f"{result.out_of_memory}\n{self.log_tail(result.key)}"
        elif result.timed_out:
            # As in Flyte, a timeout is worth another attempt if the task declares retries.
            row.phase, row.error_kind = RETRYABLE, USER
            row.error = f"the task ran past its timeout and was stopped\n{self.log_tail(result.key)}"
        else:
            try:
                self._record_ended(row, template, result)
            except Unreadable as unreadable:
                # e.g. the process was killed while flytekit wrote the file: never record what it holds.
                row.phase, row.error_kind = RETRYABLE, SYSTEM
                ended = (
                    UNREADABLE_LOST
                    if adopted or result.lost
                    else f"the task process exited with code {result.exit_code}"
                )
                row.error = f"{ended}, and its outputs were unreadable: {unreadable}\n{self.log_tail(result.key)}"

    def _record_ended(self, row: NodeExecutionRow, template: tasks_pb2.TaskTemplate, result: RunResult) -> None:
        """What the attempt left in the store; `Unreadable` if a file it left does not parse."""
        store = self.data.store
        prefix = self._prefix(row)
        if (outputs := self._written_outputs(row)) is not None:  # the common case first: one read
            row.phase = SUCCEEDED
            record_files(self.session, store, self.execution, outputs, direction="output", node_id=row.node_id)
            if row.kind == Kind.TASK and template.metadata.discoverable:
                key = cache.cache_key(template, self._inputs(row))
                cache.remember(self.session, template, key, outputs, execution=self.execution.name,
                               node_id=row.node_id, replace=self.execution.overwrite_cache)  # fmt: skip
        elif store.exists(prefix + "/error.pb"):
            with store.open(prefix + "/error.pb") as raw, parsing("error.pb"):
                error = errors_pb2.ErrorDocument.FromString(raw.read()).error
            recoverable = error.kind == errors_pb2.ContainerError.Kind.RECOVERABLE
            message = f"{error.code}: {error.message}".strip()
            hint = import_hint(template.container.args, error.message)  # e.g. a `--copy none` package not installed
            row.phase, row.error = (RETRYABLE if recoverable else FAILED), f"{hint}\n\n{message}" if hint else message
            row.error_kind = SYSTEM if error.origin == execution_pb2.ExecutionError.SYSTEM else USER
        elif store.exists(prefix + "/" + FUTURES):
            with parsing(FUTURES):
                self._dynamic(row)  # read now (and kept): a workflow cut short is no workflow
            row.kind = Kind.DYNAMIC  # runs on as the parent of the nodes it answered with
        else:
            row.phase, row.error_kind = RETRYABLE, SYSTEM
            exited = f"the task process exited with code {result.exit_code} and wrote no outputs"
            row.error = f"{LOST if result.lost else exited}\n{self.log_tail(result.key)}"

    def _ended_in_store(self, row: NodeExecutionRow) -> bool:
        """Whether the attempt left what a finished one leaves: outputs, an error or a workflow."""
        prefix = self._prefix(row)
        return any(self.data.store.exists(f"{prefix}/{name}") for name in ("outputs.pb", "error.pb", FUTURES))

    # Rows and their data.

    def _add_row(
        self, path: str, parent: str | None, attempt: int, kind: str, *, task: str, phase: str
    ) -> NodeExecutionRow:
        row = NodeExecutionRow(
            execution_id=self.execution.id, node_id=path, attempt=attempt, task=task, phase=phase,
            kind=kind, parent_id=parent, started_at=utcnow(),
        )  # fmt: skip
        if kind == Kind.ITEM:
            self._items.insert(row)
        else:
            self.session.add(row)
        self.rows[path] = row
        return row

    @functools.cached_property
    def _execution_path(self) -> tuple[str, str, str]:
        """Asked for several times per map task item: read from the row once per walk."""
        return self.execution.project, self.execution.domain, self.execution.name

    def _prefix(self, row: NodeExecutionRow, attempt: int | None = None) -> str:
        return _attempt_prefix(*self._execution_path, row.node_id, row.attempt if attempt is None else attempt)

    def _inputs(self, row: NodeExecutionRow) -> literals_pb2.LiteralMap:
        return self.data.read(self._prefix(row, 1) + "/inputs.pb")

    def _outputs(self, row: NodeExecutionRow) -> literals_pb2.LiteralMap:
        return self.data.read(self._prefix(row) + "/outputs.pb")

    def _written_outputs(self, row: NodeExecutionRow) -> literals_pb2.LiteralMap | None:
        """The attempt's outputs if it wrote them: one read, no existence check first."""
        try:
            with parsing("outputs.pb"):
                return self._outputs(row)
        except NotFound:
            return None

    def run_key(self, row: NodeExecutionRow) -> str:
        return run_key(*self._execution_path, row.node_id, row.attempt)


class _Outputs(Mapping[str, literals_pb2.LiteralMap]):
    """The outputs of a template's nodes, read from the store only when a binding asks."""

    def __init__(self, walk: ExecutionWalk, prefix: str) -> None:
        self._walk, self._prefix = walk, prefix

    def __getitem__(self, node_id: str) -> literals_pb2.LiteralMap:
        row = self._walk.rows.get(self._prefix + node_id)
        if row is None or row.phase != SUCCEEDED:
            raise KeyError(f"node {self._prefix + node_id} has no outputs yet")
        return self._walk._outputs(row)

    def __iter__(self) -> Iterator[str]:
        return (path.removeprefix(self._prefix) for path in self._walk.rows if path.startswith(self._prefix))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _ended(row: NodeExecutionRow) -> Outcome:
    if row.phase == SUCCEEDED:
        return _SUCCEEDED
    if row.kind in _PARENTS and row.phase == FAILED:
        return Outcome(FAILED, row.error)  # says which node inside failed, and why
    what = f"node {row.node_id}" + (f" ({row.task})" if row.task else "")
    if row.phase == ABORTED:
        return Outcome(FAILED, f"{what} was aborted")
    return Outcome(FAILED, f"{what} failed: {row.error}")


def _required_successes(array: core_workflow_pb2.ArrayNode, size: int) -> int:
    match array.WhichOneof("success_criteria"):
        case "min_successes":
            return min(array.min_successes, size)
        case "min_success_ratio":
            return math.ceil(size * array.min_success_ratio)
    return size


_attempt_prefix = functools.lru_cache(maxsize=8192)(attempt_prefix)
"""A map task item's prefix is asked for several times while it starts and when it ends:
checked once (the checks are most of an item's cost)."""


def _item_index(suffix: str) -> int | None:
    """A map task item's index from its path after `<array node>-`; None for another node's."""
    return int(suffix) if suffix.isdigit() else None


def run_key(project: str, domain: str, execution: str, node_id: str, attempt: int) -> str:
    """Names one attempt's process and log; the parts are store-key safe, so is this."""
    return f"{project}-{domain}-{execution}-{node_id}-{attempt}"
