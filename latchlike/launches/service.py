"""Launching a workflow from a submission: validate on the server (the browser is never
trusted), turn the values into the LiteralMap the workflow gets, record the execution.
Nothing is recorded unless every field is valid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from latchlike.executions.service import ANONYMOUS, ExecutionKey, Source, create_execution, execution_row
from latchlike.executions.tables import ExecutionRow
from latchlike.launches.forms import LaunchForm, launch_form
from latchlike.launches.queue import Memo, Prepare
from latchlike.specs.ids import NamedEntityKey
from ui_gen.rules import FileCatalog
from ui_gen.submission import FormData, unflatten


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
    session: Session, form: LaunchForm, data: FormData, catalog: FileCatalog, *, relaunch_of: str | None = None
) -> LaunchResult:
    nested, errors = unflatten(form.form, data)
    row, errors = _row(form, nested, catalog, Source.FORM, relaunch_of, errors)
    return LaunchResult(create_execution(session, row)) if row is not None else LaunchResult(errors=errors)


def launch_from_json(
    session: Session, form: LaunchForm, inputs: Mapping[str, Any], catalog: FileCatalog
) -> LaunchResult:
    row, errors = _row(form, inputs, catalog, Source.API, None, {})
    return LaunchResult(create_execution(session, row)) if row is not None else LaunchResult(errors=errors)


def json_launch(
    key: NamedEntityKey, version: str | None, launch_plan: str | None, inputs: Mapping[str, Any], catalog: FileCatalog
) -> Prepare[Launched]:
    """A launch with JSON inputs, for the queue: the form is read once per batch."""

    def prepare(session: Session, memo: Memo) -> tuple[ExecutionRow | None, Launched]:
        form = memo.get((key, version, launch_plan), lambda: launch_form(session, key, version, launch_plan))
        row, errors = _row(form, inputs, catalog, Source.API, None, {})
        return row, Launched(form, row, errors)

    return prepare


def form_launch(
    key: NamedEntityKey,
    version: str | None,
    launch_plan: str | None,
    data: FormData,
    catalog: FileCatalog,
    relaunch_of: str | None,
) -> Prepare[Launched]:
    """A launch from a posted form, for the queue: the form is read once per batch."""

    def prepare(session: Session, memo: Memo) -> tuple[ExecutionRow | None, Launched]:
        form = memo.get((key, version, launch_plan), lambda: launch_form(session, key, version, launch_plan))
        nested, errors = unflatten(form.form, data)
        row, errors = _row(form, nested, catalog, Source.FORM, relaunch_of, errors)
        return row, Launched(form, row, errors)

    return prepare


def _row(
    form: LaunchForm,
    inputs: Mapping[str, Any],
    catalog: FileCatalog,
    source: Source,
    relaunch_of: str | None,
    errors: dict[str, str],
) -> tuple[ExecutionRow | None, dict[str, str]]:
    outcome = form.validator.validate(inputs, catalog)
    if errors or not outcome.ok:
        return None, {**outcome.errors, **errors}
    row = execution_row(
        launch_plan=form.launch_plan,
        workflow=form.workflow.name,
        inputs=form.literal_map(outcome.values),
        source=source,
        launched_by=ANONYMOUS,
        relaunch_of=relaunch_of,
        options=form.options,
    )
    return row, {}
