"""A gzip file (one member or many, as BGZF) inflated by isal as it is read.

igzip's own readers inflate a megabyte of input at a time and drop it when the data stops
early, so a truncated file would be known to end only at a chunk boundary. This reader
hands out every byte that inflates, and raises EOFError only after them: the FASTQ scan
then names the exact record the data stops in. Zero padding after the last member is
allowed (as gzip allows it); data that stops being gzip counts as the end (EOFError). The
FASTQ scan calls it from its reading thread, so inflating overlaps the two scanning threads.
"""

from __future__ import annotations

import io
from pathlib import Path

from isal import isal_zlib

# Compressed bytes read at a time, inflating to at most 4 times as much: 128 KiB of output,
# small enough that the allocator reuses its heap for each output buffer. At 512 KiB every
# buffer was fresh memory: a page fault per 4 KiB, a third of a second of system time per
# 600 MB inflated (bench/qc.py's file).
CHUNK = 1 << 15
GZIP = 31  # wbits: a gzip header and trailer


class Inflated(io.RawIOBase):
    def __init__(self, path: Path) -> None:
        self._raw = path.open("rb")
        self._inflate = isal_zlib.decompressobj(wbits=GZIP)
        self._in = b""
        self._out = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._out:
            if not self._in:
                self._in = self._raw.read(CHUNK)
                if not self._in:
                    if not self._inflate.eof:
                        raise EOFError("the compressed data ends inside a gzip member")
                    return 0
            if self._inflate.eof:  # the next member starts, after any zero padding (as gzip allows)
                self._in = self._in.lstrip(b"\0")
                if not self._in:
                    continue
                self._inflate = isal_zlib.decompressobj(wbits=GZIP)
            try:
                self._out = memoryview(self._inflate.decompress(self._in, 4 * CHUNK))
            except isal_zlib.error as error:  # type: ignore[misc]  # (its stub calls it an instance)
                raise EOFError(f"corrupt compressed data: {error}") from error
            self._in = self._inflate.unused_data if self._inflate.eof else self._inflate.unconsumed_tail
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        self._out = self._out[size:]
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()
