"""Launching a workflow from a submission: validate on the server (the browser is never
trusted), turn the values into the LiteralMap the workflow gets, record the execution.
Nothing is recorded unless every field is valid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from latchlike.executions.service import ExecutionKey, Source, create_execution
from latchlike.launches.forms import LaunchForm
from ui_gen.rules import FileCatalog
from ui_gen.submission import FormData, unflatten


@dataclass(frozen=True)
class LaunchResult:
    execution: ExecutionKey | None = None
    errors: dict[str, str] = field(default_factory=dict)


def launch_from_form(
    session: Session, form: LaunchForm, data: FormData, catalog: FileCatalog, *, relaunch_of: str | None = None
) -> LaunchResult:
    nested, errors = unflatten(form.form, data)
    return _launch(session, form, nested, catalog, Source.FORM, relaunch_of, errors)


def launch_from_json(
    session: Session, form: LaunchForm, inputs: Mapping[str, Any], catalog: FileCatalog
) -> LaunchResult:
    return _launch(session, form, inputs, catalog, Source.API, None, {})


def _launch(
    session: Session,
    form: LaunchForm,
    inputs: Mapping[str, Any],
    catalog: FileCatalog,
    source: Source,
    relaunch_of: str | None,
    errors: dict[str, str],
) -> LaunchResult:
    outcome = form.validator.validate(inputs, catalog)
    if errors or not outcome.ok:
        return LaunchResult(errors={**outcome.errors, **errors})
    key = create_execution(
        session,
        launch_plan=form.launch_plan,
        workflow=form.workflow.name,
        inputs=form.literal_map(outcome.values),
        source=source,
        relaunch_of=relaunch_of,
        options=form.options,
    )
    return LaunchResult(execution=key)
