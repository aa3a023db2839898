"""What a client browsing a project's files reads: its managed files and folders, and
beside them the read-only folder of execution outputs (`outputs.py`), first in the project's
top folder once any execution wrote a file."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from latchlike.errors import InvalidArgument
from latchlike.files import outputs, service
from latchlike.files.paths import check_path, is_outputs
from latchlike.files.service import PAGE_LIMIT, FileInfo, FolderInfo
from latchlike.store import FileStore
from latchlike.store.archive import Entry


@dataclass(frozen=True)
class Download:
    key: str
    size: int
    sha256: str | None
    """None for a file inside an output directory (not hashed on its own)."""


@dataclass(frozen=True)
class FolderArchive:
    """A folder to send as one tar: its name and every file and folder below it."""

    name: str
    entries: list[Entry]
    """Paths relative to the folder, parents before what they hold."""


def read(
    session: Session, store: FileStore, project: str, path: str, *, after: str = "", limit: int = PAGE_LIMIT
) -> FileInfo | FolderInfo:
    """A file's record, or a page of a folder's entries."""
    path = check_path(path, root_allowed=True)
    if is_outputs(path):
        return outputs.read(session, store, project, path, after=after, limit=limit)
    if path and not (row := service.get(session, project, path)).is_folder:
        return service.info(row)
    folder = service.list_folder(session, project, path, after=after, limit=limit)
    if not path and not after and (top := outputs.top_entry(session, project)) is not None:
        folder.entries.insert(0, top)
    return folder


def download(session: Session, store: FileStore, project: str, path: str) -> Download | FolderArchive:
    """Where a file's bytes are, or what a folder's archive holds."""
    path = check_path(path)
    name = path.rsplit("/", 1)[-1]
    if is_outputs(path):
        inside = outputs.folder_contents(session, store, project, path)
        if inside is not None:
            return FolderArchive(name, inside)
        found = outputs.download(session, store, project, path)
        return Download(found.key, found.info.size, found.info.sha256)
    row = service.get(session, project, path)
    if row.is_folder:
        return FolderArchive(name, service.folder_contents(session, project, path))
    if row.key is None:
        raise InvalidArgument(f"{path!r} has no stored object")
    return Download(row.key, row.size, row.sha256)
