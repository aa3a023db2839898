"""Managed files and folders as records, kept in step with their store objects.

Each function is one unit of work (`Database.run`): it takes the writer's turn first, so
checks and changes see one state, then moves objects and rows together. A stored object is
never written in place: a new upload is moved over the old key (replace by rename), a move
or trash gives the object another key.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from latchlike.db import begin_writing, utcnow
from latchlike.errors import Conflict, InvalidArgument, NotFound, PreconditionFailed
from latchlike.files.kinds import Detected
from latchlike.files.paths import check_path, check_writable, live_key, parents, split, trash_key
from latchlike.files.staging import Staged
from latchlike.files.tables import ANONYMOUS, ManagedFileRow
from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.store import FileStore
from latchlike.triggers.outbox import enqueue
from latchlike.triggers.qc_info import QcInfo

PAGE_LIMIT = 1000


class FileInfo(BaseModel):
    path: str
    name: str
    is_folder: bool
    size: int
    sha256: str | None
    kind: str | None
    kind_detected: bool = True
    """False when a person set `kind` (`POST <path>:kind`) instead of detection."""
    compression: str | None
    uploaded_at: datetime
    uploaded_by: str
    written_by: str | None
    read_only: bool = False
    """An execution's output (`.executions/...`): no rename, move or delete."""
    qc: QcInfo | None = None
    """Its QC (`triggers.state`): the whole state for one file, the status alone in a folder."""


class FolderInfo(BaseModel):
    path: str
    is_folder: bool = True
    entries: list[FileInfo]
    """Folders and files in name order, one page of them."""
    next_after: str | None
    """Pass as `after` for the next page; None on the last page."""


def info(row: ManagedFileRow) -> FileInfo:
    return FileInfo(
        path=row.path, name=row.name, is_folder=row.is_folder, size=row.size, sha256=row.sha256, kind=row.kind,
        kind_detected=row.kind_detected, compression=row.compression, uploaded_at=row.uploaded_at,
        uploaded_by=row.uploaded_by, written_by=row.written_by,
    )  # fmt: skip


def find(session: Session, project: str, path: str) -> ManagedFileRow | None:
    """The live file or folder at `path`."""
    return session.scalars(
        select(ManagedFileRow).where(
            ManagedFileRow.project == project, ManagedFileRow.path == path, ManagedFileRow.trashed_at.is_(None)
        )
    ).first()


def get(session: Session, project: str, path: str) -> ManagedFileRow:
    row = find(session, project, check_path(path))
    if row is None:
        raise NotFound(f"nothing at {path!r} in project {project!r}")
    return row


def recorded_checksums(session: Session, key: str) -> dict[str, tuple[str, int]]:
    """Store key → (sha256, size) of the live managed file at `key`, or of every one below it
    for a folder: one indexed query. Empty for a key outside the projects' folders."""
    project, _, path = key.removeprefix("files/").partition("/")
    if not key.startswith("files/") or not path:
        return {}
    path = path.rstrip("/")
    query = select(ManagedFileRow.key, ManagedFileRow.sha256, ManagedFileRow.size).where(
        ManagedFileRow.project == project, ManagedFileRow.trashed_at.is_(None), ManagedFileRow.is_folder.is_(False),
        (ManagedFileRow.path == path) | ManagedFileRow.path.startswith(path + "/", autoescape=True),
    )  # fmt: skip
    return {row_key: (sha256, size) for row_key, sha256, size in session.execute(query) if row_key and sha256}


def list_files(session: Session, project: str) -> list[ManagedFileRow]:
    """Every live file of the project, by path (for `latchlike files list`)."""
    return list(
        session.scalars(
            select(ManagedFileRow)
            .where(ManagedFileRow.project == project, ManagedFileRow.trashed_at.is_(None),
                   ManagedFileRow.is_folder.is_(False))
            .order_by(ManagedFileRow.path)
        )
    )  # fmt: skip


def folder_contents(session: Session, project: str, path: str) -> list[tuple[str, str | None, int]]:
    """Every live file and folder below the folder `path`, by path relative to it: (relative
    path, store key or None for a folder, size), for an archive. One indexed query."""
    prefix = path + "/"
    query = (
        select(ManagedFileRow.path, ManagedFileRow.key, ManagedFileRow.size)
        .where(ManagedFileRow.project == project, ManagedFileRow.trashed_at.is_(None),
               ManagedFileRow.path.startswith(prefix, autoescape=True))
        .order_by(ManagedFileRow.path)
    )  # fmt: skip
    return [(row_path.removeprefix(prefix), key, size) for row_path, key, size in session.execute(query)]


def paths_of_kind(session: Session, project: str, *, kind: str, compression: str, limit: int = 500) -> list[str]:
    """Live files of one kind and compression, by path (the genome browser's references)."""
    query = (
        select(ManagedFileRow.path)
        .where(ManagedFileRow.project == project, ManagedFileRow.trashed_at.is_(None),
               ManagedFileRow.kind == kind, ManagedFileRow.compression == compression)
        .order_by(ManagedFileRow.path)
        .limit(limit)
    )  # fmt: skip
    return list(session.scalars(query))


def list_folder(session: Session, project: str, path: str, *, after: str = "", limit: int = PAGE_LIMIT) -> FolderInfo:
    """One page of a folder's children by name, an indexed range whatever the folder's size."""
    folder = check_path(path, root_allowed=True)
    if folder and not get(session, project, folder).is_folder:
        raise InvalidArgument(f"{folder!r} is a file, not a folder")
    limit = max(1, min(limit, PAGE_LIMIT))
    rows = session.scalars(
        select(ManagedFileRow)
        .where(ManagedFileRow.project == project, ManagedFileRow.parent == folder, ManagedFileRow.name > after,
               ManagedFileRow.trashed_at.is_(None))
        .order_by(ManagedFileRow.name)
        .limit(limit + 1)
    ).all()  # fmt: skip
    page = rows[:limit]
    return FolderInfo(
        path=folder, entries=[info(row) for row in page], next_after=page[-1].name if len(rows) > limit else None
    )


def put(
    session: Session, store: FileStore, project: str, path: str, staged: Staged,
    *, overwrite: bool = True, uploaded_by: str = LOCAL_PRINCIPAL, written_by: str | None = None,
) -> tuple[ManagedFileRow, bool]:  # fmt: skip
    """Move a finished staged file into the store at `path` and record it; True if the
    path was new. The object replaces the old one by rename, in the same unit as the row."""
    path = check_path(path)
    check_writable(path)
    begin_writing(session)
    existing = find(session, project, path)
    if existing is not None and existing.is_folder:
        raise Conflict(f"{path!r} is a folder; a file cannot replace it")
    if existing is not None and not overwrite:
        raise PreconditionFailed(f"{path!r} exists and the request asked not to replace it")
    _make_parents(session, project, path)
    detected = staged.detected(split(path)[1])
    row = existing or _new_row(project, path, is_folder=False)
    row.key, row.size, row.sha256 = live_key(project, path), staged.size, staged.sha256
    row.kind, row.compression, row.kind_detected = detected.kind, detected.compression, True
    row.uploaded_by, row.uploaded_at, row.written_by = uploaded_by, utcnow(), written_by
    session.add(row)
    _flush(session)
    enqueue(session, row)  # in this transaction: no way in records a file and loses its QC
    store.put_file(row.key, staged.path)
    return row, existing is None


def record_object(
    session: Session, project: str, path: str, key: str, size: int, sha256: str, detected: Detected,
    *, row: ManagedFileRow | None, uploaded_by: str = LOCAL_PRINCIPAL,
) -> ManagedFileRow:  # fmt: skip
    """Record an object already in the store at `key`, written there by something other than
    latchlike (see `reconcile`): a new row, or `row` (the live row of `path`, as the caller
    found it in this unit of work) brought up to date."""
    if row is not None and row.is_folder:
        raise Conflict(f"{path!r} is a folder; the object {key!r} cannot be recorded as a file there")
    if row is None:
        _make_parents(session, project, path)
        row = _new_row(project, path, is_folder=False)
    row.key, row.size, row.sha256, row.kind, row.compression = key, size, sha256, detected.kind, detected.compression
    row.kind_detected = True
    row.uploaded_by, row.uploaded_at, row.written_by = uploaded_by, utcnow(), None
    session.add(row)
    _flush(session)
    enqueue(session, row)
    return row


def make_folder(
    session: Session, project: str, path: str, *, uploaded_by: str = ANONYMOUS
) -> tuple[ManagedFileRow, bool]:
    """A folder (and the folders above it), empty until something goes in; True if new.
    `uploaded_by`: who asked for it (the principal's name)."""
    path = check_path(path)
    check_writable(path)
    begin_writing(session)
    existing = find(session, project, path)
    if existing is not None:
        if not existing.is_folder:
            raise Conflict(f"{path!r} is a file")
        return existing, False
    _make_parents(session, project, path)
    row = _new_row(project, path, is_folder=True, uploaded_by=uploaded_by)
    session.add(row)
    _flush(session)
    return row, True


def move(
    session: Session, store: FileStore, project: str, path: str, to: str, *, overwrite: bool = False
) -> ManagedFileRow:
    """Rename or move a file or a whole folder. A file may replace a file at `to` only when
    asked (the replaced one is purged); nothing replaces a folder."""
    path, to = check_path(path), check_path(to)
    check_writable(path, to)
    begin_writing(session)
    source = get(session, project, path)
    if to == path:
        return source
    if source.is_folder and to.startswith(path + "/"):
        raise InvalidArgument(f"a folder cannot move into itself ({path!r} → {to!r})")
    target = find(session, project, to)
    if target is not None:
        if target.is_folder or source.is_folder or not overwrite:
            raise Conflict(
                f"{to!r} exists; moving there would replace it" + ("" if target.is_folder else " (ask to overwrite)")
            )
        session.delete(target)  # its object is replaced by the move below
        _flush(session)
    _make_parents(session, project, to)
    for row in _subtree(session, project, path):
        new_path = to + row.path[len(path) :]
        row.path, (row.parent, row.name) = new_path, split(new_path)
        if row.key is not None:
            new_key = live_key(project, new_path)
            store.move(row.key, new_key)
            row.key = new_key
    _flush(session)
    return source


def trash(session: Session, store: FileStore, project: str, path: str) -> ManagedFileRow:
    """Delete to the trash: the file or folder (with all inside) leaves its folder, and its
    objects leave the project's folder, until restored or purged."""
    check_writable(path)
    begin_writing(session)
    top = get(session, project, path)
    now = utcnow()
    for row in _subtree(session, project, top.path):
        row.trashed_at, row.trash_id = now, top.id
        if row.key is not None:
            new_key = trash_key(project, top.id, row.path)
            store.move(row.key, new_key)
            row.key = new_key
    _flush(session)
    return top


def restore(session: Session, store: FileStore, project: str, path: str) -> ManagedFileRow:
    """Bring back what was last deleted at `path`, unless something new took its place."""
    path = check_path(path)
    check_writable(path)
    begin_writing(session)
    top = _last_trashed(session, project, path)
    rows = _trashed_with(session, project, top.id)
    for row in rows:
        if find(session, project, row.path) is not None:
            raise Conflict(f"{row.path!r} exists again: move it away to restore the deleted one")
    _make_parents(session, project, path)
    for row in rows:
        row.trashed_at, row.trash_id = None, None
        if row.key is not None:
            new_key = live_key(project, row.path)
            store.move(row.key, new_key)
            row.key = new_key
    _flush(session)
    return top


def purge(session: Session, store: FileStore, project: str, path: str) -> None:
    """Delete for good: the live file or folder at `path`, or else what was last trashed there."""
    path = check_path(path)
    check_writable(path)
    begin_writing(session)
    live = find(session, project, path)
    rows = (
        _subtree(session, project, path)
        if live
        else _trashed_with(session, project, _last_trashed(session, project, path).id)
    )
    for row in rows:
        session.delete(row)
    _flush(session)
    for row in rows:  # after the rows: an object without a row is found again, a row without an object is broken
        if row.key is not None:
            store.delete(row.key)


def _flush(session: Session) -> None:
    """Write the unit's changes so far. Two writers creating one path at once (PostgreSQL
    lets both check first) meet the live-path index: the later one is told, not crashed."""
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict("another request changed the same path at the same time; try again") from error


def _new_row(project: str, path: str, *, is_folder: bool, uploaded_by: str = ANONYMOUS) -> ManagedFileRow:
    live_key(project, path)  # the project's name is a key part too
    parent, name = split(path)
    return ManagedFileRow(project=project, path=path, parent=parent, name=name, is_folder=is_folder, size=0,
                          uploaded_by=uploaded_by, uploaded_at=utcnow())  # fmt: skip


def _make_parents(session: Session, project: str, path: str) -> None:
    """The folders above `path`, made if missing. Files uploaded together into a new folder
    all make it at once: on PostgreSQL each first finds none, so a later one's insert meets
    the live-path index; it then takes the folder the other made (its savepoint undone)."""
    for folder in parents(path):
        existing = find(session, project, folder)
        if existing is None:
            try:
                with session.begin_nested():
                    session.add(_new_row(project, folder, is_folder=True))
            except IntegrityError:
                existing = find(session, project, folder)
        if existing is not None and not existing.is_folder:
            raise Conflict(f"{folder!r} is a file, so {path!r} cannot be inside it")


def _subtree(session: Session, project: str, path: str) -> list[ManagedFileRow]:
    """The live row at `path` and, for a folder, every live row below it."""
    return list(
        session.scalars(
            select(ManagedFileRow).where(
                ManagedFileRow.project == project,
                ManagedFileRow.trashed_at.is_(None),
                (ManagedFileRow.path == path) | ManagedFileRow.path.startswith(path + "/", autoescape=True),
            )
        )
    )


def _last_trashed(session: Session, project: str, path: str) -> ManagedFileRow:
    row = session.scalars(
        select(ManagedFileRow)
        .where(ManagedFileRow.project == project, ManagedFileRow.path == path, ManagedFileRow.trashed_at.is_not(None),
               ManagedFileRow.trash_id == ManagedFileRow.id)
        .order_by(ManagedFileRow.trashed_at.desc(), ManagedFileRow.id.desc())
    ).first()  # fmt: skip
    if row is None:
        raise NotFound(f"nothing deleted at {path!r} in project {project!r}")
    return row


def _trashed_with(session: Session, project: str, trash_id: int) -> list[ManagedFileRow]:
    query = select(ManagedFileRow).where(ManagedFileRow.project == project, ManagedFileRow.trash_id == trash_id)
    return list(session.scalars(query))
