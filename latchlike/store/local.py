"""The embedded default: objects are files under one directory on local disk.

Objects are never changed in place: each is written once, made read-only (0444) before it
appears under its key, and replaced only by renaming a new object over it. Folders stay
writable, so the server still moves, trashes and deletes objects. Root ignores file modes:
a server running as root also gives each task a read-only view of the input-only folders
(`input_only_folders`, `engine/executors/sandbox.py`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlparse

from latchlike.errors import InvalidArgument, NotFound
from latchlike.store import StoredObject
from latchlike.store.keys import check_key

CHUNK_BYTES = 1024 * 1024
READ_ONLY = 0o444
INPUT_ONLY = ("files", "uploads", "trash")
"""Top folders whose objects tasks only read: managed files, code bundles, the trash. Tasks
write only below `executions/` (their own attempt's prefix)."""


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def uri(self, key: str) -> str:
        """A plain absolute path: flytekit reads a local blob by path, and takes a `file://`
        URI for a path literally (and then finds no such file)."""
        return str(self._path(key))

    def key_of(self, uri: str) -> str | None:
        if uri.startswith("file://"):
            path = Path(unquote(urlparse(uri).path))
        elif uri.startswith("/"):
            path = Path(uri)
        else:
            return None
        if not path.is_relative_to(self.root) or path == self.root:
            return None
        try:
            return check_key(path.relative_to(self.root).as_posix())
        except InvalidArgument:
            return None

    def list(self, prefix: str) -> list[StoredObject]:
        folder = self.root / prefix if prefix.endswith("/") else (self.root / prefix).parent
        if not folder.is_dir():
            return []
        found = []
        for path in folder.rglob("*"):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix) and not path.name.startswith("."):
                found.append(StoredObject(key, path.stat().st_size))
        return sorted(found, key=lambda item: item.key)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def put_file(self, key: str, source: Path) -> None:
        """Read-only before it is renamed into place: no reader ever sees a writable object,
        and an object under a key is replaced whole, never truncated."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(source, READ_ONLY)
            os.replace(source, target)
        except OSError:  # another filesystem: copy beside the target, then rename atomically
            partial = target.with_name(f".{target.name}.partial")
            partial.unlink(missing_ok=True)  # a crashed copy's leftover (read-only) is replaced, not reopened
            shutil.copyfile(source, partial)
            os.chmod(partial, READ_ONLY)
            os.replace(partial, target)
            source.unlink()

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise NotFound(f"no object {key!r} in the store") from None

    def stream(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        with self.open(key) as handle:
            handle.seek(start)
            left = length
            while left is None or left > 0:
                chunk = handle.read(CHUNK_BYTES if left is None else min(CHUNK_BYTES, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def move(self, source: str, target: str) -> None:
        origin = self._path(source)
        if not origin.is_file():
            raise NotFound(f"no object {source!r} in the store")
        destination = self._path(target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(origin, destination)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def task_env(self) -> dict[str, str]:
        """Nothing: a task reads and writes local paths."""
        return {}

    def seal(self) -> int:
        """Make every object read-only that a version before read-only objects left writable;
        return how many. One walk of the input-only folders, on start."""
        sealed = 0
        for folder in self.input_only_folders():
            for path in folder.rglob("*"):
                if path.is_file() and not path.is_symlink() and path.stat().st_mode & 0o222:
                    os.chmod(path, READ_ONLY)
                    sealed += 1
        return sealed

    def input_only_folders(self) -> tuple[Path, ...]:
        """The folders a task process may only read (made if missing, so they can be mounted)."""
        folders = tuple(self.root / name for name in INPUT_ONLY)
        for folder in folders:
            folder.mkdir(exist_ok=True)
        return folders
