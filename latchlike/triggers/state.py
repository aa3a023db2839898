"""What became of a file's QC, for its JSON: the newest trigger of the file, and through its
run the execution's phase, the parsed `summary` output and a link to the `report` output."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from flyteidl.core import literals_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.files import outputs
from latchlike.files.service import FileInfo, FolderInfo, info
from latchlike.files.tables import ManagedFileRow
from latchlike.store import FileStore
from latchlike.triggers.qc_info import QcInfo, Status
from latchlike.triggers.tables import QcRunRow, TriggerRow

MAX_SUMMARY_BYTES = 256 * 1024
"""A summary larger than this is not inlined in the file's JSON (its `report` still links)."""
_PHASES: dict[str, Status] = {
    "QUEUED": "queued", "RUNNING": "running", "ABORTING": "running",
    "SUCCEEDED": "done", "FAILED": "failed", "ABORTED": "failed",
}  # fmt: skip
NO_QC = QcInfo(status="none")


def file_qc(session: Session, store: FileStore, file_id: int) -> QcInfo:
    """The full state of one file's QC."""
    trigger = _newest_trigger(session, file_id)
    if trigger is None:
        return NO_QC
    if trigger.processed_at is None:
        return QcInfo(status="queued")
    execution = _execution(session, trigger.run_id)
    if execution is None:
        return QcInfo(status=_status(trigger.status), message=trigger.message)
    name = f"{execution.project}/{execution.domain}/{execution.name}"
    status = _PHASES.get(execution.phase, "running")
    if status != "done" or execution.outputs is None:
        return QcInfo(status=status, execution=name, message=headline(execution.error) if status == "failed" else None)
    outputs = literals_pb2.LiteralMap.FromString(execution.outputs).literals
    summary, message = _summary(store, _uri(outputs, "summary"))
    return QcInfo(status=status, execution=name, summary=summary, message=message,
                  report=_report_url(session, execution, _uri(outputs, "report")))  # fmt: skip


def qc_output_key(session: Session, store: FileStore, file_id: int, name: str) -> str | None:
    """The store key of one file output of the file's succeeded QC (a BAM's index, which the
    genome browser then need not build again); None while there is none."""
    trigger = _newest_trigger(session, file_id)
    execution = _execution(session, trigger.run_id) if trigger is not None else None
    if execution is None or execution.phase != "SUCCEEDED" or execution.outputs is None:
        return None
    uri = _uri(literals_pb2.LiteralMap.FromString(execution.outputs).literals, name)
    return store.key_of(uri) if uri is not None else None


def statuses(session: Session, file_ids: Iterable[int]) -> dict[int, Status]:
    """Each file's QC status alone (a folder's entries): three queries whatever their number."""
    ids = list(file_ids)
    latest: dict[int, TriggerRow] = {}
    for trigger in session.scalars(select(TriggerRow).where(TriggerRow.file_id.in_(ids)).order_by(TriggerRow.id)):
        latest[trigger.file_id] = trigger
    run_ids = {t.run_id for t in latest.values() if t.run_id is not None}
    runs = (
        select(QcRunRow.id, ExecutionRow.phase)
        .join(ExecutionRow, ExecutionRow.id == QcRunRow.execution_id)
        .where(QcRunRow.id.in_(run_ids))
    )
    phases = {run_id: phase for run_id, phase in session.execute(runs)}
    found: dict[int, Status] = {}
    for file_id in ids:
        newest = latest.get(file_id)
        if newest is None:
            found[file_id] = "none"
        elif newest.processed_at is None:
            found[file_id] = "queued"
        elif newest.run_id is not None:
            found[file_id] = _PHASES.get(phases.get(newest.run_id, ""), "running")
        else:
            found[file_id] = _status(newest.status)
    return found


def headline(error: str | None) -> str | None:
    """What a failed QC says on its file: the exception's own message, which names the file and
    where it stops making sense. flytekit's error document puts it after the trace, under
    `Message:`; the whole error, trace included, stays on the execution page."""
    if not error:
        return error
    _, found, message = error.rpartition("\nMessage:\n")
    return textwrap.dedent(message).strip() or error if found else error


def _status(settled: str | None) -> Status:
    return "failed" if settled == "failed" else "none"


def _newest_trigger(session: Session, file_id: int) -> TriggerRow | None:
    return session.scalars(select(TriggerRow).where(TriggerRow.file_id == file_id).order_by(TriggerRow.id.desc())
                           ).first()  # fmt: skip


def _execution(session: Session, run_id: int | None) -> ExecutionRow | None:
    if run_id is None:
        return None
    return session.scalars(
        select(ExecutionRow).join(QcRunRow, QcRunRow.execution_id == ExecutionRow.id).where(QcRunRow.id == run_id)
    ).first()


def _uri(outputs: Any, name: str) -> str | None:
    literal = outputs.get(name)
    if literal is not None and literal.scalar.HasField("union"):  # an Optional file output
        literal = literal.scalar.union.value
    return literal.scalar.blob.uri if literal is not None and literal.scalar.blob.uri else None


def _summary(store: FileStore, uri: str | None) -> tuple[dict[str, Any] | None, str | None]:
    key = store.key_of(uri) if uri else None
    if key is None or not store.exists(key):
        return None, "the QC wrote no summary"
    with store.open(key) as handle:
        data = handle.read(MAX_SUMMARY_BYTES + 1)
    if len(data) > MAX_SUMMARY_BYTES:
        return None, f"the summary is over {MAX_SUMMARY_BYTES // 1024} KiB: download it from the execution"
    try:
        parsed = json.loads(data)
    except ValueError:
        return None, "the summary is not JSON"
    return (parsed, None) if isinstance(parsed, dict) else (None, "the summary is not a JSON object")


def _report_url(session: Session, execution: ExecutionRow, uri: str | None) -> str | None:
    """The report's viewer page (`/view/...`, below the project's `.executions`): stable, shown
    in the report sandbox, and scoped to the execution's project."""
    if uri is None:
        return None
    row = session.scalars(
        select(ExecutionFileRow).where(ExecutionFileRow.execution_id == execution.id, ExecutionFileRow.uri == uri,
                                       ExecutionFileRow.direction == "output", ExecutionFileRow.folder.is_(False))
    ).first()  # fmt: skip
    if row is None:
        return None
    return f"/view/{quote(execution.project, safe='')}/{quote(outputs.file_path(execution, row))}"


def with_qc(session: Session, store: FileStore, row: ManagedFileRow) -> FileInfo:
    """A file's record with its full QC state."""
    return info(row).model_copy(update={"qc": file_qc(session, store, row.id)})


def folder_with_qc(session: Session, project: str, folder: FolderInfo) -> FolderInfo:
    """A folder page whose files carry their QC status (folders carry none)."""
    names = [entry.name for entry in folder.entries if not entry.is_folder]
    query = select(ManagedFileRow.name, ManagedFileRow.id).where(
        ManagedFileRow.project == project, ManagedFileRow.parent == folder.path,
        ManagedFileRow.name.in_(names), ManagedFileRow.trashed_at.is_(None),
    )  # fmt: skip
    ids = {name: file_id for name, file_id in session.execute(query)}
    found = statuses(session, ids.values())
    # An entry with no row of its own (a read-only execution output) has no QC: `none`.
    entries = [
        entry
        if entry.is_folder
        else entry.model_copy(update={"qc": QcInfo(status=found.get(ids.get(entry.name, -1), "none"))})
        for entry in folder.entries
    ]
    return folder.model_copy(update={"entries": entries})
