"""Launching from literals, as FlyteAdmin's CreateExecution does for `pyflyte run --remote`
and FlyteRemote: the launch plan's defaults fill what was left out; an unknown or missing
input is refused before anything is recorded. Abort and relaunch live here too."""

from __future__ import annotations

import re
from typing import Any

from flyteidl.admin import launch_plan_pb2
from flyteidl.core import literals_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.errors import AlreadyExists, InvalidArgument
from latchlike.executions.literal_check import misfit
from latchlike.executions.options import DEFAULTS, ExecutionOptions, check_options, spec_options
from latchlike.executions.readable import check_readable_inputs
from latchlike.executions.service import (
    ExecutionKey,
    ParentNode,
    Source,
    create_execution,
    execution_row,
    get_execution,
)
from latchlike.executions.tables import ExecutionRow
from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.specs.service import get_active_launch_plan, get_entity
from latchlike.store import FileStore

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "ABORTED"})
_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")


def launch_with_literals(session: Session, **launch: Any) -> ExecutionKey:
    """Record a launch from literals at once (`literal_launch`'s keyword arguments)."""
    return create_execution(session, literal_launch(session, **launch))


def literal_launch(
    session: Session,
    *,
    launch_plan: EntityId,
    inputs: literals_pb2.LiteralMap,
    store: FileStore,
    name: str = "",
    source: Source = Source.CLI,
    launched_by: str = LOCAL_PRINCIPAL,
    relaunch_of: str | None = None,
    options: ExecutionOptions = DEFAULTS,
    recovered_from: str | None = None,
    parent: ParentNode | None = None,
) -> ExecutionRow:
    """The checked execution row, not yet recorded: `options` where given, else the launch
    plan's; its fixed inputs cannot be given. Every file in the inputs (given, fixed or
    default) must be readable by the launch plan's project."""
    stored = (
        get_entity(session, launch_plan)
        if launch_plan.version
        else get_active_launch_plan(
            session, NamedEntityKey(ResourceKind.LAUNCH_PLAN, launch_plan.project, launch_plan.domain, launch_plan.name)
        )
    )
    spec = launch_plan_pb2.LaunchPlanSpec.FromString(stored.spec)
    expected = launch_plan_pb2.LaunchPlanClosure.FromString(stored.compiled).expected_inputs.parameters
    fixed = sorted(set(inputs.literals) & set(spec.fixed_inputs.literals))
    if fixed:
        raise InvalidArgument(
            f"{stored.id} fixes input(s) {', '.join(fixed)}; launch another launch plan to change them"
        )
    unknown = sorted(set(inputs.literals) - set(expected))
    if unknown:
        raise InvalidArgument(f"{stored.id} has no input(s) {', '.join(unknown)}; its inputs: {', '.join(expected)}")
    for input_name, literal in sorted(inputs.literals.items()):
        reason = misfit(literal, expected[input_name].var.type)
        if reason:
            raise InvalidArgument(f"{stored.id} input {input_name!r} {reason}")
    complete = literals_pb2.LiteralMap()
    complete.CopyFrom(inputs)
    for input_name, literal in spec.fixed_inputs.literals.items():
        complete.literals[input_name].CopyFrom(literal)
    for input_name, parameter in expected.items():
        if input_name in complete.literals:
            continue
        if parameter.HasField("default"):
            complete.literals[input_name].CopyFrom(parameter.default)
        else:
            raise InvalidArgument(f"{stored.id} needs input {input_name!r}, which has no default")
    check_readable_inputs(store, stored.id.project, complete)
    if name and not _NAME.fullmatch(name):
        raise InvalidArgument(f"execution name {name!r}: use 1-63 lowercase letters, digits and '-' from a letter")
    taken = select(ExecutionRow.id).where(
        ExecutionRow.project == stored.id.project, ExecutionRow.domain == stored.id.domain, ExecutionRow.name == name
    )
    if name and session.scalar(taken):
        raise AlreadyExists(f"an execution named {stored.id.project}/{stored.id.domain}/{name} exists already")
    workflow = entity_id(spec.workflow_id, ResourceKind.WORKFLOW)
    if workflow.version != stored.id.version:
        raise InvalidArgument(f"{stored.id} runs {workflow}; latchlike runs launch plans at their workflow's version")
    chosen = options.over(spec_options(spec))
    check_options(chosen)
    return execution_row(
        launch_plan=stored.id,
        workflow=workflow.name,
        inputs=complete,
        source=source,
        launched_by=launched_by,
        relaunch_of=relaunch_of,
        name=name,
        options=chosen,
        recovered_from=recovered_from,
        parent=parent,
    )


def relaunch(
    session: Session, key: ExecutionKey, *, store: FileStore, name: str = "", launched_by: str = LOCAL_PRINCIPAL
) -> ExecutionKey:
    previous = get_execution(session, key)
    return launch_with_literals(
        session,
        launch_plan=previous.launch_plan,
        inputs=_given(session, previous.launch_plan, previous.inputs),
        store=store,
        name=name,
        relaunch_of=key.name,
        options=previous.options,
        launched_by=launched_by,
    )


def recover(
    session: Session, key: ExecutionKey, *, store: FileStore, name: str = "", launched_by: str = LOCAL_PRINCIPAL
) -> ExecutionKey:
    """A new execution of the failed one's launch plan and inputs that takes over its
    succeeded nodes and runs the rest."""
    previous = get_execution(session, key)
    if previous.phase not in ("FAILED", "ABORTED"):
        raise InvalidArgument(f"execution {key} is {previous.phase}; only a failed or aborted execution is recovered")
    return launch_with_literals(
        session,
        launch_plan=previous.launch_plan,
        inputs=_given(session, previous.launch_plan, previous.inputs),
        store=store,
        name=name,
        options=previous.options,
        recovered_from=key.name,
        launched_by=launched_by,
    )


def terminate(session: Session, key: ExecutionKey, cause: str) -> None:
    """Ask the engine to abort: it kills the running attempts and records ABORTED."""
    row = session.scalar(
        select(ExecutionRow)
        .where(ExecutionRow.project == key.project, ExecutionRow.domain == key.domain, ExecutionRow.name == key.name)
        .with_for_update()  # not after the engine ended it (PostgreSQL reads the latest, locked)
    )
    if row is None:
        get_execution(session, key)  # raises NotFound with the usual message
        return
    if row.phase in TERMINAL:
        raise InvalidArgument(f"execution {key} already ended ({row.phase}); there is nothing to abort")
    row.phase, row.error = "ABORTING", cause or "aborted"


def _given(session: Session, launch_plan: EntityId, inputs: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
    """An execution's inputs without its launch plan's fixed ones, which the plan gives again."""
    fixed = launch_plan_pb2.LaunchPlanSpec.FromString(get_entity(session, launch_plan).spec).fixed_inputs.literals
    return literals_pb2.LiteralMap(
        literals={name: value for name, value in inputs.literals.items() if name not in fixed}
    )
