"""Launching a workflow from a submission: validate on the server (the browser is never
trusted), turn the values into the LiteralMap the workflow gets, record the execution.
Nothing is recorded unless every field is valid. Given the store, an output directory in the
project's files (Latch's `output: true`) is written by the task into the execution's own
folder and recorded at the chosen path when it succeeds (`files.written`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from latchlike.executions.service import ExecutionKey, Source, create_execution, new_execution_name
from latchlike.files import written
from latchlike.launches.forms import LaunchForm
from latchlike.store import FileStore
from ui_gen.rules import FileCatalog
from ui_gen.submission import FormData, unflatten


@dataclass(frozen=True)
class LaunchResult:
    execution: ExecutionKey | None = None
    errors: dict[str, str] = field(default_factory=dict)


def launch_from_form(
    session: Session, form: LaunchForm, data: FormData, catalog: FileCatalog, *, relaunch_of: str | None = None,
    store: FileStore | None = None,
) -> LaunchResult:  # fmt: skip
    nested, errors = unflatten(form.form, data)
    return _launch(session, form, nested, catalog, Source.FORM, relaunch_of, errors, store)


def launch_from_json(
    session: Session, form: LaunchForm, inputs: Mapping[str, Any], catalog: FileCatalog,
    *, store: FileStore | None = None,
) -> LaunchResult:  # fmt: skip
    return _launch(session, form, inputs, catalog, Source.API, None, {}, store)


def _launch(
    session: Session,
    form: LaunchForm,
    inputs: Mapping[str, Any],
    catalog: FileCatalog,
    source: Source,
    relaunch_of: str | None,
    errors: dict[str, str],
    store: FileStore | None,
) -> LaunchResult:
    outcome = form.validator.validate(inputs, catalog)
    if errors or not outcome.ok:
        return LaunchResult(errors={**outcome.errors, **errors})
    literals, name = form.literal_map(outcome.values), new_execution_name()
    outputs = [item.key for item in form.form.fields if item.output]
    plan = form.launch_plan
    targets = written.redirect(store, plan.project, plan.domain, name, literals, outputs) if store and outputs else []
    key = create_execution(
        session,
        launch_plan=plan,
        workflow=form.workflow.name,
        inputs=literals,
        source=source,
        relaunch_of=relaunch_of,
        name=name,
        options=form.options,
    )
    written.keep(session, key, targets)
    return LaunchResult(execution=key)
