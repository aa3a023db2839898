"""The file store: where code bundles, inputs, outputs and user files live.

One small interface, chosen by URL scheme in `open_store`. Keys are relative POSIX paths
whose layout `keys.py` owns.
"""

from __future__ import annotations

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


def open_store(url: str) -> FileStore:
    """An explicit table of schemes; an unknown scheme is an error, never a fallback."""
    from latchlike.store.local import LocalFileStore

    backends = {"file": lambda: LocalFileStore(Path(urlparse(url).path))}
    scheme = urlparse(url).scheme
    if scheme not in backends:
        raise InvalidArgument(f"store URL {url!r} has scheme {scheme!r}; supported: {', '.join(backends)}")
    return backends[scheme]()
