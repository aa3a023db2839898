"""Turning one pending trigger into an execution, or into the run it shares.

One transaction per trigger: the run's claim (a unique key, never check-then-insert), the
execution and the trigger's outcome commit together, so a crash at any point leaves the
trigger pending and the next try starts from scratch: nothing lost, nothing launched twice.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from latchlike.db import begin_writing, insert_if_absent, utcnow
from latchlike.errors import InvalidArgument, NotFound
from latchlike.executions.service import Source, create_execution, execution_row
from latchlike.executions.tables import ExecutionRow
from latchlike.files.catalog import StoreCatalog
from latchlike.files.paths import live_key
from latchlike.files.tables import ManagedFileRow
from latchlike.store import FileStore
from latchlike.triggers.rules import Rule, choose, list_rules, target_input, workflow_form
from latchlike.triggers.tables import QcRunRow, TriggerRow

NONE, FAILED = "none", "failed"


def pending(session: Session, limit: int) -> list[tuple[int, str]]:
    """(id, project) of the oldest pending triggers."""
    query = select(TriggerRow.id, TriggerRow.project).where(TriggerRow.processed_at.is_(None))
    return [(row_id, project) for row_id, project in session.execute(query.order_by(TriggerRow.id).limit(limit))]


def process(session: Session, store: FileStore, trigger_id: int) -> None:
    """Launch, reuse or settle one trigger; a trigger already processed is left alone."""
    begin_writing(session)
    trigger = session.get(TriggerRow, trigger_id)
    if trigger is None or trigger.processed_at is not None:
        return
    file = session.get(ManagedFileRow, trigger.file_id)
    if file is None or file.trashed_at is not None or file.key is None:
        return _settle(trigger, NONE, "the file was deleted before its QC started")
    if file.sha256 != trigger.sha256:
        return _settle(trigger, NONE, "the file was replaced before its QC started; the new content has its own")
    folder = file.parent
    rule = choose(list_rules(session, file.project), file.kind or "", folder)
    if rule is None:
        return _settle(trigger, NONE, f"no QC rule for {file.kind} files")
    if not rule.enabled:
        return _settle(trigger, NONE, f"QC of {file.kind} files is switched off here (rule {rule.id})")
    try:
        form = workflow_form(session, file.project, rule)
        target = target_input(form)
    except NotFound as error:
        return _settle(trigger, NONE, error.message)
    except InvalidArgument as error:
        return _settle(trigger, FAILED, error.message)
    if target.directory and not folder:
        return _settle(trigger, NONE, f"{form.workflow.name} takes a folder; {file.path!r} is in none")
    key = live_key(file.project, folder) if target.directory else file.key
    inputs = {**rule.parameters, target.name: store.uri(key)}
    outcome = form.validator.validate(inputs, StoreCatalog(store, file.project))
    if not outcome.ok:
        problems = "; ".join(f"{name}: {message}" for name, message in sorted(outcome.errors.items()))
        return _settle(trigger, FAILED, f"{form.workflow} refused the inputs: {problems}")
    dedupe = dedupe_key(rule, form.workflow.version, key if target.directory else "", trigger.sha256, file.project)
    if trigger.force:  # the old run stays for the files that point at it; new files get this one
        session.execute(update(QcRunRow).where(QcRunRow.dedupe_key == dedupe).values(dedupe_key=None))
    if insert_if_absent(session, QcRunRow, {"dedupe_key": dedupe, "sha256": trigger.sha256, "created_at": utcnow()}):
        run = session.scalars(select(QcRunRow).where(QcRunRow.dedupe_key == dedupe)).one()
        execution = create_execution(session, execution_row(
            launch_plan=form.launch_plan, workflow=form.workflow.name, inputs=form.literal_map(outcome.values),
            source=Source.TRIGGER, launched_by=trigger.requested_by or file.uploaded_by, options=form.options,
            triggered_by=f"{trigger.project}/{trigger.path}",
        ))  # fmt: skip
        run.execution_id = session.scalars(
            select(ExecutionRow.id).where(ExecutionRow.project == execution.project,
                                          ExecutionRow.domain == execution.domain,
                                          ExecutionRow.name == execution.name)
        ).one()  # fmt: skip
    else:
        run = session.scalars(select(QcRunRow).where(QcRunRow.dedupe_key == dedupe)).one()
    trigger.run_id, trigger.processed_at = run.id, utcnow()
    session.flush()


def settle_broken(session: Session, trigger_id: int, message: str) -> None:
    """End a trigger whose processing raised unexpectedly, so the loop does not retry it forever."""
    begin_writing(session)
    trigger = session.get(TriggerRow, trigger_id)
    if trigger is not None and trigger.processed_at is None:
        _settle(trigger, FAILED, message)


def dedupe_key(rule: Rule, version: str, folder_key: str, sha256: str, project: str) -> str:
    """What a QC result depends on: where it runs (the project: its results are the
    project's), the workflow version, the parameters, the input's shape and the content."""
    parts = [project, rule.domain, rule.workflow, version, json.dumps(rule.parameters, sort_keys=True),
             folder_key, sha256]  # fmt: skip
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _settle(trigger: TriggerRow, status: str, message: str) -> None:
    trigger.status, trigger.message, trigger.processed_at = status, message, utcnow()
