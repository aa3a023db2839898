"""An upload on its way in: written to the staging folder, hashed and measured as the bytes
arrive (never re-read), its first bytes kept for detection. Discarded whole on any failure,
so a cut upload leaves nothing behind."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from latchlike.files.kinds import HEAD_BYTES, Detected, detect
from latchlike.uploads.service import STAGING_PREFIX


class Staged(Protocol):
    """A finished upload on local disk, measured and hashed as it arrived: what
    `files.service.put` moves into the store (a streamed PUT, or a tus upload's last byte)."""

    @property
    def path(self) -> Path: ...

    @property
    def size(self) -> int: ...

    @property
    def sha256(self) -> str: ...

    def detected(self, name: str) -> Detected: ...


class StagedFile:
    def __init__(self, staging_dir: Path, *, prefix: str = STAGING_PREFIX) -> None:
        """`prefix`: the uploads' by default, so a server killed mid-upload clears the file on
        its next start (`uploads.service.clean_staging`)."""
        staging_dir.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=staging_dir, prefix=prefix)
        self.path = Path(name)
        self._file = os.fdopen(handle, "wb")
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._file.flush()  # on disk as it arrives, however slowly a pipe or a client sends
        self._hash.update(chunk)
        if len(self._head) < HEAD_BYTES:
            self._head += chunk[: HEAD_BYTES - len(self._head)]
        self.size += len(chunk)

    def finish(self) -> None:
        """Flush the bytes to disk; the file is then ready to move into the store."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def detected(self, name: str) -> Detected:
        return detect(bytes(self._head), complete=self.size <= HEAD_BYTES, name=name)

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)
