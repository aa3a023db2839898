"""Keep the records true to the store when other tools write to it.

Objects appear in (or vanish from) a project's folder without passing through latchlike:
files put there before records existed, tools writing straight into the S3 bucket, the
object of an upload whose record a crash lost between the store's move and the commit.
Two ways in, one set of rules here:
- a bucket notification names one object (`object_created`, `object_removed`): the webhook;
- `reconcile` compares a whole listing with the records: on every start, and periodically
  as the fallback for notifications that never came.

An object is read (hashed and typed) only when no record matches its key and size, so our
own writes echoed back by the bucket and an unchanged store cost a lookup, not a read. Every
decision is re-checked inside the writing unit of work, so a racing upload or move through
latchlike always wins over what a stale event or listing said.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.db import Database, begin_writing
from latchlike.errors import Conflict, InvalidArgument, NotFound
from latchlike.files import service
from latchlike.files.kinds import HEAD_BYTES, Detected, detect
from latchlike.files.paths import check_path, is_outputs
from latchlike.files.tables import ManagedFileRow
from latchlike.store import FileStore

log = logging.getLogger(__name__)
PREFIX = "files/"
BUCKET_WRITER = "bucket"
"""`uploaded_by` of a file some other tool wrote into the store."""
BATCH = 500
"""Objects `reconcile` records per transaction: a restart on a big store commits once per
batch, not once per object, and holds SQLite's writer turn one batch at a time."""


@dataclass
class Reconciled:
    recorded: int = 0
    """Objects that had no record, or whose record described other bytes."""
    forgotten: int = 0
    """Records whose object is gone from the store."""


def reconcile(db: Database, store: FileStore) -> Reconciled:
    """Record every unrecorded or changed object below `files/`, forget every record whose
    object is gone. One listing and one query; only objects that differ are read, and they are
    recorded `BATCH` to a transaction: a crash loses at most the batch under way, which the
    next reconcile (on the next start) finds unrecorded again."""
    with db.session() as session:
        live = select(ManagedFileRow.key, ManagedFileRow.size).where(
            ManagedFileRow.trashed_at.is_(None), ManagedFileRow.is_folder.is_(False)
        )
        recorded = {key: size for key, size in session.execute(live) if key is not None}
    outcome = Reconciled()
    changed = [stored.key for stored in store.list(PREFIX) if recorded.pop(stored.key, None) != stored.size]
    for start in range(0, len(changed), BATCH):
        outcome.recorded += _record_batch(db, store, changed[start : start + BATCH])
    for key in recorded:  # records the listing did not match: their objects are gone (or moving right now)
        if object_removed(db, store, key):
            outcome.forgotten += 1
    if outcome.recorded or outcome.forgotten:
        log.info("reconciled the store: %d objects recorded, %d records forgotten", outcome.recorded, outcome.forgotten)
    return outcome


def object_created(db: Database, store: FileStore, key: str, size: int | None = None) -> bool:
    """Record the object at `key` if no record already describes it; True if one changed.
    `size` (from the event or listing) lets a matching record skip the read."""
    place = _place(key)
    if place is None:
        return False
    if size is not None:
        with db.session() as session:
            row = service.find(session, *place)
            if row is not None and row.key == key and row.size == size:
                return False
    read = _read(store, key, place)
    if read is None:
        return False
    with db.session() as session:
        begin_writing(session)
        return _record(session, read)


@dataclass(frozen=True)
class _Read:
    """An object's bytes as read outside any transaction, ready to be recorded."""

    project: str
    path: str
    key: str
    size: int
    sha256: str
    detected: Detected


def _record_batch(db: Database, store: FileStore, keys: list[str]) -> int:
    """Read the objects at `keys` (no transaction open meanwhile), then record them in one
    writing unit of work; how many records changed."""
    reads = [read for key in keys if (place := _place(key)) and (read := _read(store, key, place))]
    with db.session() as session:
        begin_writing(session)
        return sum(_record(session, read) for read in reads)


def _record(session: Session, read: _Read) -> bool:
    """Record one object read, unless a record (perhaps written meanwhile) describes it already."""
    row = service.find(session, read.project, read.path)
    if row is not None and row.key == read.key and row.size == read.size and row.sha256 == read.sha256:
        return False
    try:
        with session.begin_nested():  # a refused object leaves the rest of its batch recorded
            service.record_object(session, read.project, read.path, read.key, read.size, read.sha256, read.detected,
                                  row=row, uploaded_by=BUCKET_WRITER)  # fmt: skip
    except Conflict as error:  # `a` and `a/b` both objects: a bucket allows it, a folder tree not
        log.warning("left %s without a record: %s", read.key, error.message)
        return False
    return True


def object_removed(db: Database, store: FileStore, key: str) -> bool:
    """Forget the live record of `key` if its object is really gone; True if one was."""
    place = _place(key)
    if place is None:
        return False
    with db.session() as session:
        begin_writing(session)
        row = _live_row_locked(session, key)
        if row is None or store.exists(key):
            return False  # moved or replaced through latchlike meanwhile, or written again
        session.delete(row)
    log.info("forgot %s/%s: its object %s left the store", place[0], place[1], key)
    return True


def _live_row_locked(session: Session, key: str) -> ManagedFileRow | None:
    query = (
        select(ManagedFileRow)
        .where(ManagedFileRow.key == key, ManagedFileRow.trashed_at.is_(None), ManagedFileRow.is_folder.is_(False))
        .with_for_update()
    )
    return session.scalars(query).first()


def _place(key: str) -> tuple[str, str] | None:
    """(project, path) of a key below `files/`, or None for a name no path may have (or one
    in the executions' outputs folder, which shows no managed file)."""
    if not key.startswith(PREFIX):
        return None
    project, _, path = key.removeprefix(PREFIX).partition("/")
    try:
        checked = check_path(path)
    except InvalidArgument:
        return None
    return None if is_outputs(checked) else (project, checked)


def _read(store: FileStore, key: str, place: tuple[str, str]) -> _Read | None:
    """SHA-256, size and kind of the object, streamed: memory stays one chunk. None if it was
    removed again before we read it: its removal will be (or was) handled."""
    digest, head, size = hashlib.sha256(), bytearray(), 0
    try:
        for chunk in store.stream(key):
            digest.update(chunk)
            size += len(chunk)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
    except NotFound:
        return None
    project, path = place
    detected = detect(bytes(head), complete=size <= HEAD_BYTES, name=path.rpartition("/")[2])
    return _Read(project, path, key, size, digest.hexdigest(), detected)
