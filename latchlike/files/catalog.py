"""The managed files a form may pick from: a project's folder in the file store.

A file is any object under `files/<project>/`; a directory is any folder there that
holds files. Pickers offer only those; a URI typed or relaunched may also name the project's
uploads and execution outputs. Any other URI is not found (`executions.readable`, the rule
every launch path applies), so a form never reaches another project's data. Pickers ask
for candidates a folder or a search at a time (`browse`), so a project with 10,000 files
costs a page nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import Session

from latchlike.errors import InvalidArgument
from latchlike.executions.readable import readable_key
from latchlike.files.managed import files_prefix, managed_key
from latchlike.files.paths import check_path, live_key
from latchlike.files.tables import ManagedFileRow
from latchlike.store import FileStore
from latchlike.store.keys import is_valid_key
from ui_gen.rules import matches_format

MAX_LIMIT = 200


@dataclass(frozen=True)
class CatalogEntry:
    uri: str
    name: str
    path: str
    """Shown in the picker: the key below the project's folder."""
    is_directory: bool
    size: int = 0


@dataclass(frozen=True)
class Listing:
    folders: list[CatalogEntry]
    """Folders to open next (a tree's branches); empty for a search."""
    entries: list[CatalogEntry]
    """What can be picked: files of the wanted format, or folders for a directory picker."""
    truncated: bool


class StoreCatalog:
    def __init__(self, store: FileStore, project: str) -> None:
        self._store = store
        self._project = project
        self._prefix = files_prefix(project)

    def lookup(self, uri: str) -> CatalogEntry | None:
        """A store URI the project may read, or a path in the project's folder (`runs/a.fq`,
        as the form shows managed files)."""
        key = self._store.key_of(uri) if _has_scheme_or_root(uri) else self._managed_key(uri)
        if key is None or not readable_key(self._project, key):
            return None
        if self._store.exists(key):
            return self._entry(key, is_directory=False)
        if self._store.list(key.rstrip("/") + "/"):
            return self._entry(key.rstrip("/"), is_directory=True)
        return None

    def label(self, uri: str) -> str:
        """How the form shows a file: a managed file of the project by its path there (never
        the store's own location, a path on the server's disk); anything else as given."""
        key = self._store.key_of(uri) if _has_scheme_or_root(uri) else None
        return key.removeprefix(self._prefix) if key and key.startswith(self._prefix) else uri

    def _managed_key(self, path: str) -> str | None:
        try:
            return managed_key(self._project, check_path(path))
        except InvalidArgument:
            return None

    def browse(
        self, *, directory: bool, blob_format: str, folder: str = "", query: str = "", limit: int = MAX_LIMIT
    ) -> Listing:
        """One folder's children (no `query`), or everything below `folder` whose path holds
        `query` (case-insensitive). Raises InvalidArgument for a folder that is no key."""
        base = managed_key(self._project, folder) + "/" if folder.strip("/") else self._prefix
        # A name the store cannot address (put there by hand) cannot be picked, but must not
        # make every form with a picker in the project fail either.
        listed = [item for item in self._store.list(base) if is_valid_key(item.key)]
        relative = [(item.key.removeprefix(base), item.size) for item in listed]
        limit = max(1, min(limit, MAX_LIMIT))
        if query:
            return self._search(base, relative, directory, blob_format, query.lower(), limit)
        subfolders = sorted({path.split("/", 1)[0] for path, _ in relative if "/" in path})
        folders = [self._entry(base + name, is_directory=True) for name in subfolders]
        if directory:
            entries = folders
        else:
            entries = [
                self._entry(base + path, is_directory=False, size=size)
                for path, size in relative
                if "/" not in path and matches_format(path, blob_format)
            ]
        truncated = len(folders) > limit or len(entries) > limit
        return Listing(folders[:limit], entries[:limit], truncated)

    def _search(
        self, base: str, relative: list[tuple[str, int]], directory: bool, blob_format: str, query: str, limit: int
    ) -> Listing:
        if directory:
            names = {str(parent) for path, _ in relative for parent in PurePosixPath(path).parents}
            names.discard(".")
            found = [self._entry(base + name, is_directory=True) for name in sorted(names) if query in name.lower()]
        else:
            found = [
                self._entry(base + path, is_directory=False, size=size)
                for path, size in relative
                if query in path.lower() and matches_format(PurePosixPath(path).name, blob_format)
            ]
        return Listing([], found[:limit], len(found) > limit)

    def _entry(self, key: str, *, is_directory: bool, size: int = 0) -> CatalogEntry:
        return CatalogEntry(
            uri=self._store.uri(key),
            name=PurePosixPath(key).name,
            path=key.removeprefix(self._prefix) if key.startswith(self._prefix) else key,
            is_directory=is_directory,
            size=size,
        )


def _has_scheme_or_root(value: str) -> bool:
    return value.startswith("/") or urlsplit(value).scheme != ""


class RecordCatalog:
    """What pickers browse: the managed files table, one indexed range per folder and a
    `LIKE` for a search, stopping at `limit`, so 100,000 files cost a page nothing. Files
    put in the store without a record are recorded on start (`files/reconcile.py`)."""

    def __init__(self, session: Session, store: FileStore, project: str) -> None:
        self._session = session
        self._store = store
        self._project = project

    def browse(
        self, *, directory: bool, blob_format: str, folder: str = "", query: str = "", limit: int = MAX_LIMIT
    ) -> Listing:
        """As `StoreCatalog.browse`; empty folders show too. Raises InvalidArgument for a
        folder that is no path."""
        base = check_path(folder, root_allowed=True)
        limit = max(1, min(limit, MAX_LIMIT))
        live = select(ManagedFileRow).where(
            ManagedFileRow.project == self._project, ManagedFileRow.trashed_at.is_(None)
        )
        if query:
            below = ManagedFileRow.path.startswith(base + "/", autoescape=True) if base else true()
            found = live.where(below, func.lower(ManagedFileRow.path).contains(query.lower(), autoescape=True),
                               ManagedFileRow.is_folder == directory).order_by(ManagedFileRow.path)  # fmt: skip
            entries, truncated = self._first(found, blob_format, limit)
            return Listing([], entries, truncated)
        children = live.where(ManagedFileRow.parent == base).order_by(ManagedFileRow.name)
        folders, more_folders = self._first(children.where(ManagedFileRow.is_folder), "", limit)
        if directory:
            return Listing(folders, folders, more_folders)
        entries, more_files = self._first(children.where(ManagedFileRow.is_folder.is_(False)), blob_format, limit)
        return Listing(folders, entries, more_folders or more_files)

    def _first(self, query: Select[ManagedFileRow], blob_format: str, limit: int) -> tuple[list[CatalogEntry], bool]:
        """Up to `limit` rows of `blob_format` (by extension, as forms check it), and whether more exist."""
        entries: list[CatalogEntry] = []
        for row in self._session.scalars(query.execution_options(yield_per=500)):
            if row.is_folder or matches_format(row.name, blob_format):
                if len(entries) == limit:
                    return entries, True
                entries.append(CatalogEntry(uri=self._store.uri(live_key(self._project, row.path)), name=row.name,
                                            path=row.path, is_directory=row.is_folder, size=row.size))  # fmt: skip
        return entries, False
