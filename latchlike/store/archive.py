"""A store folder as one tar stream, written as it is read: no temporary copy, and memory
bounded by one chunk whatever the folder's size.

Store objects are written once and never changed, so each member's size is known from the
listing before its bytes are sent; a member that no longer has that size stops the stream
rather than sending a corrupt archive. An entry without a key is a folder (so empty folders
survive the trip).
"""

from __future__ import annotations

import tarfile
import time
from collections.abc import Iterable, Iterator

from latchlike.errors import InternalError
from latchlike.store import FileStore

CHUNK = 1024 * 1024
_BLOCK = tarfile.BLOCKSIZE
Entry = tuple[str, str | None, int]
"""(member path, store key or None for a folder, size)."""


def folder_entries(store: FileStore, key: str) -> list[tuple[str, str, int]]:
    """(member path, key, size) for each object under the folder `key`; empty if it is none."""
    prefix = key.rstrip("/") + "/"
    return [(item.key.removeprefix(prefix), item.key, item.size) for item in store.list(prefix)]


def tar_stream(store: FileStore, root: str, entries: Iterable[Entry]) -> Iterator[bytes]:
    """A POSIX (pax) tar of `entries`, each under the folder `root` ('' for none)."""
    now = int(time.time())
    for member, key, size in entries:
        info = tarfile.TarInfo(f"{root}/{member}" if root else member)
        info.mtime = now
        if key is None:
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            yield info.tobuf(format=tarfile.PAX_FORMAT)
            continue
        info.size, info.mode = size, 0o644
        yield info.tobuf(format=tarfile.PAX_FORMAT)
        sent = 0
        with store.open(key) as handle:
            while sent < size and (chunk := handle.read(min(CHUNK, size - sent))):
                sent += len(chunk)
                yield chunk
        if sent != size:
            raise InternalError(f"{key} changed while it was archived ({sent} of {size} bytes)")
        yield b"\0" * (-size % _BLOCK)
    yield b"\0" * (2 * _BLOCK)
