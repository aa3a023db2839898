"""Execution outputs as a read-only folder of each project's files:
`.executions/<execution>/<node>/<output>/<file>`.

Nothing is copied: the levels are read from what provenance already records (the
`execution_files` rows each succeeded attempt leaves, with checksums), and a directory
output's files from the store below its key. `<output>` is where the file sits in the
node's outputs (`o0`, `o0.report`, `samples[2]`), so names never collide; inside it the file
keeps its own name. Everything here is read-only: the objects belong to their execution.
An execution is found by name in the project (any domain; the newest if two domains share
a name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from latchlike.errors import InvalidArgument, NotFound
from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.files.paths import OUTPUTS_FOLDER as FOLDER
from latchlike.files.service import PAGE_LIMIT, FileInfo, FolderInfo
from latchlike.files.tables import ANONYMOUS
from latchlike.store import FileStore
from latchlike.store.archive import Entry, folder_entries

OUTPUT = "output"


@dataclass(frozen=True)
class OutputFile:
    """A file to download: its record and its object."""

    info: FileInfo
    key: str


def top_entry(session: Session, project: str) -> FileInfo | None:
    """The outputs' folder as an entry of the project's top, once any execution wrote a file."""
    # The first output found, not the newest: a listing of the top must not sort every output.
    first = session.execute(
        select(ExecutionFileRow.created_at)
        .join(ExecutionRow, ExecutionRow.id == ExecutionFileRow.execution_id)
        .where(ExecutionRow.project == project, *_stored_outputs())
        .limit(1)
    ).scalar()
    return None if first is None else _folder(FOLDER, first, uploaded_by=ANONYMOUS, written_by=None)


def read(
    session: Session, store: FileStore, project: str, path: str, *, after: str = "", limit: int = PAGE_LIMIT
) -> FileInfo | FolderInfo:
    """The record of a file, or one page of a folder, below `.executions`."""
    limit = max(1, min(limit, PAGE_LIMIT))
    parts = path.split("/")[1:]
    if not parts:
        return _page(path, _executions(session, project, after, limit + 1), limit)
    execution = _execution(session, project, parts[0])
    if len(parts) == 1:
        return _page(path, _nodes(session, execution, path, after, limit + 1), limit)
    if len(parts) == 2:
        return _page(path, _outputs(session, execution, path, parts[1], after, limit + 1), limit)
    row = _output(session, execution, parts[1], parts[2])
    inside = "/".join(parts[3:])
    if not row.folder:
        name = _file_name(row)
        if not inside:
            return _page(path, [_file(f"{path}/{name}", execution, row, row.size or 0, row.sha256)], limit)
        if inside == name:
            return _file(path, execution, row, row.size or 0, row.sha256)
        raise NotFound(f"nothing at {path!r} in project {project!r}")
    return _directory(store, execution, row, path, inside, after, limit)


def download(session: Session, store: FileStore, project: str, path: str) -> OutputFile:
    """A file below `.executions`, with the store key its bytes are read from (a folder is
    `folder_contents`'s)."""
    parts = path.split("/")[1:]
    if len(parts) < 4:
        raise InvalidArgument(f"{path!r} is a folder, not a file")
    execution = _execution(session, project, parts[0])
    row = _output(session, execution, parts[1], parts[2])
    assert row.key is not None  # only outputs in the store are listed
    inside = "/".join(parts[3:])
    if not row.folder:
        if inside != _file_name(row):
            raise NotFound(f"nothing at {path!r} in project {project!r}")
        return OutputFile(_file(path, execution, row, row.size or 0, row.sha256), row.key)
    key = f"{row.key.rstrip('/')}/{inside}"
    found = [item for item in store.list(key) if item.key == key]
    if not found:
        raise NotFound(f"nothing at {path!r} in project {project!r}")
    return OutputFile(_file(path, execution, row, found[0].size, None), key)


def folder_contents(session: Session, store: FileStore, project: str, path: str) -> list[Entry] | None:
    """Every file below a folder of `.executions` (paths relative to it), for an archive; None
    if `path` names a file (or nothing) inside an output."""
    parts = path.split("/")[1:]
    if len(parts) >= 3:  # one output: its file, or what its directory holds at `inside`
        execution = _execution(session, project, parts[0])
        row = _output(session, execution, parts[1], parts[2])
        inside = "/".join(parts[3:])
        if not row.folder:
            return None if inside else [(_file_name(row), *_object(store, row))]
        assert row.key is not None  # only outputs in the store are listed
        prefix = f"{row.key.rstrip('/')}/{inside + '/' if inside else ''}"
        found: list[Entry] = [(item.key.removeprefix(prefix), item.key, item.size) for item in store.list(prefix)]
        return found if found or not inside else None
    executions = [_execution(session, project, parts[0])] if parts else _newest_executions(session, project)
    entries: dict[str, tuple[str | None, int]] = {}  # by member: one per output, whatever the attempts
    for execution in executions:
        query = select(ExecutionFileRow).where(*_stored_outputs(execution.id)).order_by(ExecutionFileRow.id)
        if len(parts) == 2:
            query = query.where(ExecutionFileRow.node_id == parts[1])
        for row in session.scalars(query):
            if not row.node_id:
                continue
            output = f"{FOLDER}/{execution.name}/{row.node_id}/{row.name}".removeprefix(path + "/")
            if row.folder:
                assert row.key is not None
                for member, key, size in folder_entries(store, row.key):
                    entries[f"{output}/{member}"] = (key, size)
            else:
                entries[f"{output}/{_file_name(row)}"] = _object(store, row)
    return [(member, key, size) for member, (key, size) in sorted(entries.items())]


def file_path(execution: ExecutionRow, row: ExecutionFileRow) -> str:
    """Where an output file (not a directory) shows below `.executions`: its stable path."""
    return f"{FOLDER}/{execution.name}/{row.node_id}/{row.name}/{_file_name(row)}"


def _execution(session: Session, project: str, name: str) -> ExecutionRow:
    row = session.scalars(
        select(ExecutionRow)
        .where(ExecutionRow.project == project, ExecutionRow.name == name)
        .order_by(ExecutionRow.created_at.desc())
    ).first()
    if row is None:
        raise NotFound(f"no execution {name!r} in project {project!r}")
    return row


def _newest_executions(session: Session, project: str) -> list[ExecutionRow]:
    """The project's executions that wrote a file, the newest of each name (as listed)."""
    query = (
        select(ExecutionRow)
        .where(ExecutionRow.project == project,
               ExecutionRow.id.in_(select(ExecutionFileRow.execution_id).where(*_stored_outputs())))
        .order_by(ExecutionRow.name, ExecutionRow.created_at.desc())
    )  # fmt: skip
    newest: dict[str, ExecutionRow] = {}
    for row in session.scalars(query):
        newest.setdefault(row.name, row)
    return list(newest.values())


def _object(store: FileStore, row: ExecutionFileRow) -> tuple[str, int]:
    """A file output's key and size (from the store when provenance did not record it)."""
    assert row.key is not None
    if row.size is not None:
        return row.key, row.size
    found = [item.size for item in store.list(row.key) if item.key == row.key]
    if not found:
        raise NotFound(f"{row.uri} is no longer in the store")
    return row.key, found[0]


def _written_by(execution: ExecutionRow) -> str:
    return f"{execution.project}/{execution.domain}/{execution.name}"


def _stored_outputs(execution_id: int | None = None) -> list[ColumnElement[bool]]:
    """Output files in the store (a URI outside it has nothing to list or download)."""
    conditions: list[ColumnElement[bool]] = [ExecutionFileRow.direction == OUTPUT, ExecutionFileRow.key.is_not(None)]
    if execution_id is not None:
        conditions.append(ExecutionFileRow.execution_id == execution_id)
    return conditions


def _executions(session: Session, project: str, after: str, limit: int) -> list[FileInfo]:
    query = (
        select(ExecutionRow)
        .where(ExecutionRow.project == project, ExecutionRow.name > after,
               ExecutionRow.id.in_(select(ExecutionFileRow.execution_id).where(*_stored_outputs())))
        .order_by(ExecutionRow.name, ExecutionRow.created_at.desc())
        .limit(limit)
    )  # fmt: skip
    newest: dict[str, ExecutionRow] = {}  # one folder per name, whatever the domains
    for row in session.scalars(query):
        newest.setdefault(row.name, row)
    return [
        _folder(f"{FOLDER}/{row.name}", row.finished_at or row.created_at, row.launched_by, _written_by(row))
        for row in newest.values()
    ]


def _nodes(session: Session, execution: ExecutionRow, path: str, after: str, limit: int) -> list[FileInfo]:
    query = (
        select(ExecutionFileRow.node_id, func.max(ExecutionFileRow.created_at))
        .where(*_stored_outputs(execution.id), ExecutionFileRow.node_id > after)
        .group_by(ExecutionFileRow.node_id)
        .order_by(ExecutionFileRow.node_id)
        .limit(limit)
    )
    by = _written_by(execution)
    return [_folder(f"{path}/{node}", at, execution.launched_by, by) for node, at in session.execute(query) if node]


def _outputs(session: Session, execution: ExecutionRow, path: str, node: str, after: str, limit: int) -> list[FileInfo]:
    query = (
        select(ExecutionFileRow)
        .where(*_stored_outputs(execution.id), ExecutionFileRow.node_id == node, ExecutionFileRow.name > after)
        .order_by(ExecutionFileRow.name)
        .limit(limit)
    )
    by = _written_by(execution)
    return [_folder(f"{path}/{row.name}", row.created_at, execution.launched_by, by) for row in session.scalars(query)]


def _output(session: Session, execution: ExecutionRow, node: str, name: str) -> ExecutionFileRow:
    row = session.scalars(
        select(ExecutionFileRow).where(
            *_stored_outputs(execution.id), ExecutionFileRow.node_id == node, ExecutionFileRow.name == name
        )
    ).first()
    if row is None:
        raise NotFound(f"node {node!r} of execution {execution.name!r} wrote no file {name!r}")
    return row


def _directory(
    store: FileStore, execution: ExecutionRow, row: ExecutionFileRow, path: str, inside: str, after: str, limit: int
) -> FileInfo | FolderInfo:
    """A directory output's files and folders at `inside`, from one store listing."""
    assert row.key is not None
    prefix = f"{row.key.rstrip('/')}/{inside + '/' if inside else ''}"
    children: dict[str, int | None] = {}  # name → size; None for a folder
    for item in store.list(prefix):
        name, _, rest = item.key.removeprefix(prefix).partition("/")
        if name > after:
            children[name] = None if rest else item.size
    if not children and inside:
        exact = [item for item in store.list(prefix.rstrip("/")) if item.key == prefix.rstrip("/")]
        if exact:
            return _file(path, execution, row, exact[0].size, None)
        raise NotFound(f"nothing at {path!r}")
    entries = [
        _folder(f"{path}/{name}", row.created_at, execution.launched_by, _written_by(execution))
        if size is None
        else _file(f"{path}/{name}", execution, row, size, None)
        for name, size in sorted(children.items())[: limit + 1]
    ]
    return _page(path, entries, limit)


def _file_name(row: ExecutionFileRow) -> str:
    return row.uri.rstrip("/").rsplit("/", 1)[-1]


def _page(path: str, entries: list[FileInfo], limit: int) -> FolderInfo:
    """One page from `limit + 1` entries fetched: the extra one says another page follows."""
    page = entries[:limit]
    return FolderInfo(path=path, entries=page, next_after=page[-1].name if len(entries) > limit else None)


def _folder(path: str, at: datetime, uploaded_by: str, written_by: str | None) -> FileInfo:
    return FileInfo(path=path, name=path.rsplit("/", 1)[-1], is_folder=True, size=0, sha256=None, kind=None,
                    compression=None, uploaded_at=at, uploaded_by=uploaded_by, written_by=written_by,
                    read_only=True)  # fmt: skip


def _file(path: str, execution: ExecutionRow, row: ExecutionFileRow, size: int, sha256: str | None) -> FileInfo:
    return FileInfo(path=path, name=path.rsplit("/", 1)[-1], is_folder=False, size=size, sha256=sha256, kind=None,
                    compression=None, uploaded_at=row.created_at, uploaded_by=execution.launched_by,
                    written_by=_written_by(execution), read_only=True)  # fmt: skip
