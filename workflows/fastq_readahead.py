"""A gzip FASTQ that starts inflating on a thread of its own while the process starts up.

Inflating one gzip stream is the FASTQ QC's critical path (one core, ~600 MB/s of output
here), and a cold process spends its first ~0.4 s importing numpy and numba and loading the
kernel. This module imports neither, so the QC (workflows/fastq_report.py) starts it first:
its thread inflates up to AHEAD bytes during those imports, and stops at the first read.
From there the reader inflates itself (workflows/fastq_inflate.py), as it did before: handing
every piece over between two threads cost more (a wake-up and a GIL hand-off per piece)
than the copy it took off the inflating core. Errors keep their order: every byte inflated
before a problem is read first, then the EOFError that names it.
"""

from __future__ import annotations

import io
import sys
import threading
from collections import deque
from pathlib import Path

from workflows.fastq_inflate import Inflated

AHEAD = 64 << 20  # bytes inflated ahead at most (the memory that start-up overlap costs)
PIECE = 1 << 18  # compressed bytes a piece: the thread takes the GIL back once a piece
# While the main thread imports (pure Python, holding the GIL), the inflating thread waits
# for the GIL after every piece: at the default 5 ms switch interval, longer than a piece.
SWITCH = 0.0002
GZIP_MAGIC = b"\x1f\x8b"


def start(path: Path) -> Readahead | None:
    """The file's read-ahead, inflating already, if the file is gzip (BGZF too); else None."""
    with path.open("rb") as head:
        return Readahead(path) if head.read(2) == GZIP_MAGIC else None


class Readahead(io.RawIOBase):
    def __init__(self, path: Path, ahead: int = AHEAD) -> None:
        self._stream = Inflated(path)  # a missing file fails here, in the caller
        self._ahead = ahead
        self._pieces: deque[memoryview] = deque()
        self._ended: BaseException | bool = False  # True at the end of the data, or its error
        self._stop = threading.Event()
        self._joined = False
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, SWITCH))
        self._thread = threading.Thread(target=self._inflate, name="inflate-ahead", daemon=True)
        self._thread.start()

    def _inflate(self) -> None:
        held = 0
        try:
            while held < self._ahead and not self._stop.is_set():
                piece = self._stream.chunk(PIECE)
                if not piece:
                    self._ended = True
                    return
                self._pieces.append(piece)
                held += len(piece)
        except BaseException as error:  # raised by the reader, after the pieces
            self._ended = error

    def _join(self) -> None:
        """Stop the thread (within one piece) and restore the switch interval."""
        if not self._joined:
            self._stop.set()
            self._thread.join()
            sys.setswitchinterval(self._switch)
            self._joined = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self._join()
        if not self._pieces:
            if isinstance(self._ended, BaseException):
                raise self._ended
            return 0 if self._ended else self._stream.readinto(buffer)
        piece = self._pieces[0]
        size = min(len(buffer), len(piece))
        buffer[:size] = piece[:size]
        if size == len(piece):
            self._pieces.popleft()
        else:
            self._pieces[0] = piece[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            self._join()
            self._stream.close()
        super().close()
