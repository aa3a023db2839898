"""Asking for a file's QC: a row in the caller's transaction (the outbox), so the file's
record and its trigger commit together or not at all. The loop (`loop`) launches it later."""

from __future__ import annotations

from sqlalchemy.orm import Session

from latchlike.errors import InvalidArgument
from latchlike.files.tables import ManagedFileRow
from latchlike.triggers.tables import TriggerRow


def enqueue(
    session: Session, row: ManagedFileRow, *, force: bool = False, requested_by: str | None = None
) -> TriggerRow:
    """A pending trigger for the file `row` (flushed, so it has an id); `force` runs QC
    again even if the same content ran already; `requested_by`: who asked, if someone did."""
    if row.is_folder or row.sha256 is None:
        raise InvalidArgument(f"{row.path!r} is a folder: QC runs on files")
    trigger = TriggerRow(file_id=row.id, project=row.project, path=row.path, sha256=row.sha256, force=force,
                         requested_by=requested_by)  # fmt: skip
    session.add(trigger)
    session.flush()
    return trigger
