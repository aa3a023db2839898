"""Launching a workflow from a submission: validate on the server (the browser is never
trusted), turn the values into the LiteralMap the workflow gets, record the execution.
Nothing is recorded unless every field is valid. Given the store, an output directory in the
project's files (Latch's `output: true`) is written by the task into the execution's own
folder and recorded at the chosen path when it succeeds (`files.written`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from latchlike.executions.service import ExecutionKey, Source, create_execution, execution_row, new_execution_name
from latchlike.executions.tables import ExecutionRow
from latchlike.files import written
from latchlike.launches.forms import LaunchForm, launch_form
from latchlike.launches.queue import Memo, Prepare
from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.specs.ids import NamedEntityKey
from latchlike.store import FileStore
from ui_gen.rules import FileCatalog
from ui_gen.submission import FormData, unflatten

FollowUp = Callable[[Session], None]
"""What a launch records besides its row, once the row is in (its output directories)."""


@dataclass(frozen=True)
class LaunchResult:
    execution: ExecutionKey | None = None
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Launched:
    """A launch through the queue (`launches.queue`): the row recorded, or every field's error."""

    form: LaunchForm
    row: ExecutionRow | None
    errors: dict[str, str]


def launch_from_form(
    session: Session, form: LaunchForm, data: FormData, catalog: FileCatalog, *, relaunch_of: str | None = None,
    store: FileStore | None = None,
) -> LaunchResult:  # fmt: skip
    nested, errors = unflatten(form.form, data)
    return _at_once(session, *_row(form, nested, catalog, Source.FORM, relaunch_of, errors, store))


def launch_from_json(
    session: Session, form: LaunchForm, inputs: Mapping[str, Any], catalog: FileCatalog,
    *, store: FileStore | None = None,
) -> LaunchResult:  # fmt: skip
    return _at_once(session, *_row(form, inputs, catalog, Source.API, None, {}, store))


def json_launch(
    key: NamedEntityKey, version: str | None, launch_plan: str | None, inputs: Mapping[str, Any], catalog: FileCatalog,
    store: FileStore | None = None, *, launched_by: str = LOCAL_PRINCIPAL,
) -> Prepare[Launched]:  # fmt: skip
    """A launch with JSON inputs, for the queue: the form is read once per batch. `launched_by`:
    the principal's name (never a name the request gives)."""

    def prepare(session: Session, memo: Memo) -> tuple[ExecutionRow | None, Launched]:
        form = memo.get((key, version, launch_plan), lambda: launch_form(session, key, version, launch_plan))
        row, errors, follow_up = _row(form, inputs, catalog, Source.API, None, {}, store, launched_by)
        if follow_up is not None:
            memo.after_insert(follow_up)
        return row, Launched(form, row, errors)

    return prepare


def form_launch(
    key: NamedEntityKey,
    version: str | None,
    launch_plan: str | None,
    data: FormData,
    catalog: FileCatalog,
    relaunch_of: str | None,
    store: FileStore | None = None,
    *,
    launched_by: str = LOCAL_PRINCIPAL,
) -> Prepare[Launched]:
    """A launch (or relaunch) from a posted form, for the queue: the form is read once per
    batch. `launched_by`: the principal's name."""

    def prepare(session: Session, memo: Memo) -> tuple[ExecutionRow | None, Launched]:
        form = memo.get((key, version, launch_plan), lambda: launch_form(session, key, version, launch_plan))
        nested, errors = unflatten(form.form, data)
        row, errors, follow_up = _row(form, nested, catalog, Source.FORM, relaunch_of, errors, store, launched_by)
        if follow_up is not None:
            memo.after_insert(follow_up)
        return row, Launched(form, row, errors)

    return prepare


def _at_once(
    session: Session, row: ExecutionRow | None, errors: dict[str, str], follow_up: FollowUp | None
) -> LaunchResult:
    if row is None:
        return LaunchResult(errors=errors)
    key = create_execution(session, row)
    if follow_up is not None:
        follow_up(session)
    return LaunchResult(key)


def _row(
    form: LaunchForm,
    inputs: Mapping[str, Any],
    catalog: FileCatalog,
    source: Source,
    relaunch_of: str | None,
    errors: dict[str, str],
    store: FileStore | None,
    launched_by: str = LOCAL_PRINCIPAL,
) -> tuple[ExecutionRow | None, dict[str, str], FollowUp | None]:
    outcome = form.validator.validate(inputs, catalog)
    if errors or not outcome.ok:
        return None, {**outcome.errors, **errors}, None
    literals, name, plan = form.literal_map(outcome.values), new_execution_name(), form.launch_plan
    outputs = [item.key for item in form.form.fields if item.output]
    targets = written.redirect(store, plan.project, plan.domain, name, literals, outputs) if store and outputs else []
    row = execution_row(
        launch_plan=plan,
        workflow=form.workflow.name,
        inputs=literals,
        source=source,
        launched_by=launched_by,
        relaunch_of=relaunch_of,
        name=name,
        options=form.options,
    )
    if not targets:
        return row, {}, None
    key = ExecutionKey(plan.project, plan.domain, name)
    return row, {}, lambda session: written.keep(session, key, targets)
