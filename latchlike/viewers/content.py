"""A stored file's text, decompressed as it streams: the viewers read the start of a file
of any size (or all of a table) without copying it out of the store first."""

from __future__ import annotations

import bz2
import gzip
import io
from collections.abc import Iterator
from typing import BinaryIO

from latchlike.store import FileStore


class _ChunkStream(io.RawIOBase):
    """The store's chunk iterator as a readable binary file (what gzip and bz2 read from)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._pending = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # RawIOBase's buffer type
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def open_binary(store: FileStore, key: str, compression: str) -> BinaryIO:
    """The decompressed bytes of the object at `key`; the caller closes it."""
    raw = io.BufferedReader(_ChunkStream(store.stream(key)), buffer_size=1024 * 1024)
    if compression in ("gzip", "bgzf"):  # BGZF is gzip members one after another
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "bzip2":
        return bz2.BZ2File(raw, mode="rb")  # type: ignore[return-value]
    return raw  # type: ignore[return-value]


def open_text(store: FileStore, key: str, compression: str) -> io.TextIOWrapper:
    """Lines of text; bytes that are not UTF-8 show as replacement characters, never an error."""
    return io.TextIOWrapper(open_binary(store, key, compression), encoding="utf-8", errors="replace", newline=None)
