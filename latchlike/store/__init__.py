"""The file store: where code bundles, inputs, outputs and user files live.

One small interface, chosen by URL scheme in `open_store`. Keys are relative POSIX paths
whose layout `keys.py` owns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlparse

from latchlike.errors import InvalidArgument


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int


class FileStore(Protocol):
    def uri(self, key: str) -> str:
        """The URI a task process or pod reads the object from."""

    def key_of(self, uri: str) -> str | None:
        """The key behind one of this store's URIs; None for a URI outside the store."""

    def list(self, prefix: str) -> list[StoredObject]:
        """Every object whose key starts with `prefix` (a folder, ending in '/'), by key."""

    def exists(self, key: str) -> bool: ...

    def put_file(self, key: str, source: Path) -> None:
        """Move a finished local file into the store atomically: readers see all or nothing."""

    def open(self, key: str) -> BinaryIO: ...

    def stream(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        """The object's bytes from `start`, `length` of them (all the rest if None), a chunk at
        a time: a download of any size holds one chunk in memory."""

    def move(self, source: str, target: str) -> None:
        """Give an object another key, replacing whatever `target` held: readers of `target`
        see the old object or the new one, never a mix. NotFound if `source` is missing."""

    def delete(self, key: str) -> None:
        """Remove an object; a missing one is no error (a retried purge finishes quietly)."""

    def task_env(self) -> dict[str, str]:
        """Environment a task process needs to read and write the store (credentials)."""


def open_store(url: str, *, s3_endpoint: str = "", s3_access_key: str = "", s3_secret_key: str = "") -> FileStore:
    """An explicit table of schemes; an unknown scheme is an error, never a fallback."""
    from latchlike.store.local import LocalFileStore
    from latchlike.store.s3 import open_s3_store

    backends: dict[str, Callable[[], FileStore]] = {
        "file": lambda: LocalFileStore(Path(urlparse(url).path)),
        "s3": lambda: open_s3_store(url, endpoint=s3_endpoint, access_key=s3_access_key, secret_key=s3_secret_key),
    }
    scheme = urlparse(url).scheme
    if scheme not in backends:
        raise InvalidArgument(f"store URL {url!r} has scheme {scheme!r}; supported: {', '.join(backends)}")
    return backends[scheme]()
