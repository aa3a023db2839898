"""The managed files a form may pick from: a project's folder in the file store.

A file is any object under `files/<project>/`; a directory is any folder there that
holds files. A URI outside the project's folder is not found, so a form never reaches
another project's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from latchlike.files.managed import files_prefix
from latchlike.store import FileStore
from latchlike.store.keys import is_valid_key
from ui_gen.rules import matches_format

MAX_CANDIDATES = 500


@dataclass(frozen=True)
class CatalogEntry:
    uri: str
    name: str
    path: str
    """Shown in the picker: the key below the project's folder."""
    is_directory: bool
    size: int = 0


class StoreCatalog:
    def __init__(self, store: FileStore, project: str) -> None:
        self._store = store
        self._prefix = files_prefix(project)

    def lookup(self, uri: str) -> CatalogEntry | None:
        key = self._store.key_of(uri)
        if key is None or not key.startswith(self._prefix):
            return None
        if self._store.exists(key):
            return self._entry(key, is_directory=False)
        if self._store.list(key.rstrip("/") + "/"):
            return self._entry(key.rstrip("/"), is_directory=True)
        return None

    def candidates(self, *, directory: bool, blob_format: str) -> list[CatalogEntry]:
        # A name the store cannot address (a space, put there by hand) cannot be picked, but
        # must not make every form with a picker in the project fail either.
        objects = [item for item in self._store.list(self._prefix) if is_valid_key(item.key)]
        if directory:
            folders = {str(PurePosixPath(item.key).parent) for item in objects}
            folders.discard(self._prefix.rstrip("/"))
            return [self._entry(key, is_directory=True) for key in sorted(folders)][:MAX_CANDIDATES]
        return [
            self._entry(item.key, is_directory=False, size=item.size)
            for item in objects
            if matches_format(PurePosixPath(item.key).name, blob_format)
        ][:MAX_CANDIDATES]

    def _entry(self, key: str, *, is_directory: bool, size: int = 0) -> CatalogEntry:
        return CatalogEntry(
            uri=self._store.uri(key),
            name=PurePosixPath(key).name,
            path=key.removeprefix(self._prefix),
            is_directory=is_directory,
            size=size,
        )
