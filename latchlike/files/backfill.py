"""Objects in a project's folder of the store with no record get one: files put there
before records existed (or by hand), and the object of an upload whose record a crash lost
between the store's move and the commit. Run on every start; only unrecorded objects are
read (hashed and typed), so after the first start it costs one listing."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import select

from latchlike.db import Database, begin_writing
from latchlike.errors import Conflict, InvalidArgument
from latchlike.files import service
from latchlike.files.kinds import HEAD_BYTES, detect
from latchlike.files.paths import check_path, is_outputs
from latchlike.files.tables import ManagedFileRow
from latchlike.store import FileStore, StoredObject
from latchlike.store.local import LocalFileStore

log = logging.getLogger(__name__)
PREFIX = "files/"


def record_unrecorded(db: Database, store: FileStore) -> int:
    """Record every unrecorded object below `files/`; return how many were recorded. On the
    local store, objects left writable by an older version are made read-only first."""
    if isinstance(store, LocalFileStore) and (sealed := store.seal()):
        log.info("made %d stored objects read-only (written before stored objects were)", sealed)
    with db.session() as session:
        live = select(ManagedFileRow.project, ManagedFileRow.path).where(ManagedFileRow.trashed_at.is_(None))
        known = {(project, path) for project, path in session.execute(live)}
    recorded = 0
    for stored in store.list(PREFIX):
        place = _place(stored.key)
        if place is None or place in known:
            continue
        sha256, head = _read(store, stored)
        detected = detect(head, complete=stored.size <= HEAD_BYTES, name=place[1])
        try:
            with db.session() as session:
                begin_writing(session)
                service.record_object(session, place[0], place[1], stored.key, stored.size, sha256, detected)
        except Conflict as error:  # `a` and `a/b` both objects: a bucket allows it, a folder tree not
            log.warning("left %s without a record: %s", stored.key, error.message)
            continue
        recorded += 1
    if recorded:
        log.info("recorded %d managed files found in the store without a record", recorded)
    return recorded


def _place(key: str) -> tuple[str, str] | None:
    """(project, path) of a key below `files/`, or None for a name no path may have (or one
    in the executions' outputs folder, which shows no managed file)."""
    project, _, path = key.removeprefix(PREFIX).partition("/")
    try:
        checked = check_path(path)
    except InvalidArgument:
        return None
    return None if is_outputs(checked) else (project, checked)


def _read(store: FileStore, stored: StoredObject) -> tuple[str, bytes]:
    digest, head = hashlib.sha256(), bytearray()
    for chunk in store.stream(stored.key):
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
    return digest.hexdigest(), bytes(head)
