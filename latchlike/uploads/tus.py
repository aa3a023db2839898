"""Resumable uploads (tus 1.0) into a project's managed files; the protocol's rules, no HTTP.

An upload is a row of `tus_uploads` (where it goes, its length, when it expires) and a
partial file `<data_dir>/tus/<id>` holding exactly the bytes accepted so far, in order:
the file's size *is* the offset, so a server killed mid-PATCH resumes from whatever
reached the file, and nothing else needs saving per chunk.

The SHA-256 runs in memory as bytes arrive. hashlib states cannot be saved, and
checkpointing would mean writing our own SHA-256; so a running hash that the process lost
(a restart) or that disagrees with the file is rebuilt by re-hashing the partial file's
prefix once, at the next PATCH: a sequential read, only ever after a crash.

The last byte moves the file into the store and records it (`files.service.put`) in the
same unit of work that drops the upload's row: until then nothing is in any listing.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from latchlike.accounts.limits import check_size, upload_limit
from latchlike.db import Database, begin_writing, utcnow
from latchlike.errors import Conflict, InvalidArgument, NotFound, PreconditionFailed, UserError
from latchlike.files import service
from latchlike.files.kinds import HEAD_BYTES, Detected, detect
from latchlike.files.paths import check_path, live_key, parents
from latchlike.files.tables import ManagedFileRow
from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.store import FileStore
from latchlike.uploads.tables import TusUploadRow

HASH_CHUNK_BYTES = 1024 * 1024
TAKEOVER_SECONDS = 10.0
"""How long a PATCH waits for the one it stopped to put its bytes down."""
PATH_KEYS = ("path", "relativePath", "filename", "name")
"""Where the destination is read from, in order (Uppy sends `relativePath` for folders and
`name`; `path` is ours). A value of 'null' is Uppy's way of saying none."""
_ABSENT = ("", "null", "undefined")
_ID = re.compile(r"[0-9a-f]{32}")


def upload_dir(data_dir: Path) -> Path:
    """The partial files of uploads in progress: on local disk whatever the store is."""
    return data_dir / "tus"


@dataclass(frozen=True)
class UploadStatus:
    """What HEAD answers."""

    offset: int
    length: int
    expires_at: datetime
    metadata: str


@dataclass(frozen=True)
class Appended:
    """After a PATCH: the new offset, and the recorded file once the last byte is in."""

    offset: int
    expires_at: datetime
    recorded: ManagedFileRow | None


@dataclass
class _Running:
    """What this process knows of an upload between PATCHes: the hash of the partial file's
    first `offset` bytes, and the lock that lets one PATCH write at a time."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    digest: Any = None  # hashlib's object: no public type
    offset: int = -1
    writer: asyncio.Future[None] | None = None
    """The PATCH reading a body now, which a newer PATCH stops."""


@dataclass(frozen=True)
class _Finished:
    """A complete partial file, as `files.service.put` takes it."""

    path: Path
    size: int
    sha256: str
    head: bytes

    def detected(self, name: str) -> Detected:
        return detect(self.head, complete=self.size <= HEAD_BYTES, name=name)


def parse_metadata(header: str) -> dict[str, str]:
    """tus `Upload-Metadata`: comma-separated `key base64(value)` pairs (a value may be absent)."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = item.partition(" ")
        try:
            pairs[key] = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidArgument(f"Upload-Metadata {key!r} is not base64 of UTF-8 text") from None
    return pairs


def destination(metadata: dict[str, str]) -> tuple[str, bool]:
    """(path below the project's folder, whether to replace a file there) from the metadata."""
    for key in PATH_KEYS:
        if metadata.get(key, "").strip() not in _ABSENT:
            return check_path(metadata[key].strip().lstrip("/")), metadata.get("overwrite") == "1"
    raise InvalidArgument("Upload-Metadata names no destination: give 'path' (or 'relativePath', 'filename', 'name')")


class TusUploads:
    """The uploads of one server process. One instance per app: it holds the running hashes."""

    def __init__(self, *, db: Database, store: FileStore, folder: Path, max_bytes: int, expiry: timedelta) -> None:
        self._db, self._store, self._folder = db, store, folder
        self.max_bytes, self._expiry = max_bytes, expiry
        self._running: dict[str, _Running] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def _partial(self, upload_id: str) -> Path:
        return self._folder / upload_id

    async def create(
        self, project: str, length: int, metadata_header: str, *, uploaded_by: str = LOCAL_PRINCIPAL
    ) -> str:
        """A new upload's id. Refused before any byte if the path is bad, taken (and no
        `overwrite`), a folder, or the length over the limit. An empty file is recorded at once,
        as `uploaded_by`'s."""
        if length < 0:
            raise InvalidArgument("Upload-Length must be a whole number of bytes")
        check_size(length, await self.limit(project))
        path, overwrite = destination(parse_metadata(metadata_header))
        live_key(project, path)  # the project's name is a key part too
        await self.expire()  # each new upload ages out the abandoned ones
        upload_id = secrets.token_hex(16)
        self._partial(upload_id).touch(exist_ok=False)
        row = TusUploadRow(id=upload_id, project=project, path=path, length=length, overwrite=overwrite,
                           upload_metadata=metadata_header, expires_at=utcnow() + self._expiry)  # fmt: skip
        try:
            await self._db.run(lambda session: _create(session, row))
            if length == 0:
                await self._complete(row, hashlib.sha256(), b"", uploaded_by)
        except BaseException:
            self._partial(upload_id).unlink(missing_ok=True)
            raise
        return upload_id

    async def limit(self, project: str) -> int:
        """The largest upload `project` takes: its workspace's limit, else the server's."""
        return await self._db.run(lambda session: upload_limit(session, project, self.max_bytes))

    async def status(self, project: str, upload_id: str) -> UploadStatus:
        row = await self._db.run(lambda session: _live(session, project, upload_id))
        return UploadStatus(self._offset(upload_id), row.length, row.expires_at, row.upload_metadata)

    async def append(
        self, project: str, upload_id: str, offset: int, body: AsyncIterator[bytes], *,
        uploaded_by: str = LOCAL_PRINCIPAL,
    ) -> Appended:  # fmt: skip
        """Write `body` at `offset` (which must be the upload's offset: 409 otherwise, as tus
        says) while hashing it; the PATCH with the last byte records the file as `uploaded_by`'s.
        A body cut midway keeps what arrived; a client resumes there.
        A PATCH still reading when a new one comes is stopped (its client has most likely
        gone without the server noticing): the new one continues from what the old one wrote."""
        row = await self._db.run(lambda session: _live(session, project, upload_id))
        check_size(row.length, await self.limit(project))  # the workspace's limit may have changed since
        running = self._running.setdefault(upload_id, _Running())
        if running.writer is not None:
            running.writer.cancel()
        try:
            await asyncio.wait_for(running.lock.acquire(), TAKEOVER_SECONDS)
        except TimeoutError:
            raise Conflict("another PATCH is writing this upload now: ask HEAD for the offset and try again") from None
        try:
            size = self._offset(upload_id)
            if offset != size:
                raise Conflict(f"Upload-Offset {offset} is not where the upload is: {size} bytes are in")
            if running.offset != size:  # a restart lost the running hash (or a write failed midway)
                running.digest = await asyncio.to_thread(_hash_prefix, self._partial(upload_id), size)
                running.offset = size
            running.writer = asyncio.ensure_future(self._write(row, running, body))
            try:
                await asyncio.wait({running.writer})
                if running.writer.cancelled():
                    raise Conflict("a newer PATCH took this upload over")
                running.writer.result()  # the body's own failure: too long, or cut
            finally:
                running.writer.cancel()  # this request itself cancelled: stop reading its body
                running.writer = None
                expires_at = await self._touch(upload_id)
            if running.offset < row.length:
                return Appended(running.offset, expires_at, None)
            head = await asyncio.to_thread(_head, self._partial(upload_id))
            try:
                recorded = await self._complete(row, running.digest, head, uploaded_by)
            except UserError:
                raise
            except BaseException:
                # Not recorded (the store or database failed): the last byte is given back, so
                # the upload does not look finished and the client's retry records it again.
                with contextlib.suppress(FileNotFoundError):
                    os.truncate(self._partial(upload_id), row.length - 1)
                running.offset = -1
                raise
            return Appended(row.length, expires_at, recorded)
        finally:
            running.lock.release()

    async def terminate(self, project: str, upload_id: str) -> None:
        """Discard an upload and its bytes (tus termination); 409 while a PATCH writes to it."""
        await self._db.run(lambda session: _live(session, project, upload_id))
        running = self._running.setdefault(upload_id, _Running())
        if running.lock.locked():
            raise Conflict("a PATCH is writing this upload now: stop it first")
        async with running.lock:
            await self._db.run(lambda session: _delete(session, upload_id))
            self._forget(upload_id)

    async def expire(self, now: datetime | None = None) -> int:
        """Discard uploads past their expiry (none being written to); how many."""
        busy = {upload_id for upload_id, running in self._running.items() if running.lock.locked()}
        gone = await self._db.run(lambda session: _drop_expired(session, now or utcnow(), busy))
        for upload_id in gone:
            self._forget(upload_id)
        return len(gone)

    def _offset(self, upload_id: str) -> int:
        try:
            return self._partial(upload_id).stat().st_size
        except FileNotFoundError:
            raise NotFound(f"upload {upload_id!r} has lost its bytes; start it again") from None

    async def _write(self, row: TusUploadRow, running: _Running, body: AsyncIterator[bytes]) -> None:
        # Unbuffered appends: the file holds every byte the hash has seen, whenever we are killed.
        with self._partial(row.id).open("ab", buffering=0) as partial:
            try:
                async for chunk in body:
                    if running.offset + len(chunk) > row.length:
                        raise InvalidArgument(f"the body goes past the upload's length of {row.length} bytes")
                    view = memoryview(chunk)
                    while view:
                        view = view[partial.write(view) or 0 :]
                    running.digest.update(chunk)
                    running.offset += len(chunk)
            finally:  # what arrived before a cut is accepted too, so on disk like the rest
                await asyncio.to_thread(os.fsync, partial.fileno())

    async def _touch(self, upload_id: str) -> datetime:
        expires_at = utcnow() + self._expiry

        def touch(session: Session) -> None:
            row = session.get(TusUploadRow, upload_id)
            if row is not None:
                row.expires_at = expires_at

        await self._db.run(touch)
        return expires_at

    async def _complete(self, row: TusUploadRow, digest: Any, head: bytes, uploaded_by: str) -> ManagedFileRow:
        """Record the file. Refused (a file or folder took the path meanwhile), the upload is
        gone too: the client starts again and hears why at creation. Failed otherwise, it stays."""
        finished = _Finished(self._partial(row.id), row.length, digest.hexdigest(), head)

        def record(session: Session) -> ManagedFileRow:
            _delete(session, row.id)  # the partial file becomes the stored object
            recorded, _ = service.put(session, self._store, row.project, row.path, finished, overwrite=row.overwrite,
                                      uploaded_by=uploaded_by)  # fmt: skip
            return recorded

        try:
            recorded = await self._db.run(record)
        except UserError:
            await self._db.run(lambda session: _delete(session, row.id))
            self._forget(row.id)
            raise
        self._forget(row.id)
        return recorded

    def _forget(self, upload_id: str) -> None:
        self._running.pop(upload_id, None)
        self._partial(upload_id).unlink(missing_ok=True)


def clean_uploads(db: Database, folder: Path, now: datetime | None = None) -> None:
    """On start: drop uploads past their expiry, and partial files no upload owns (a server
    killed between making the file and recording the upload)."""
    folder.mkdir(parents=True, exist_ok=True)
    with db.session() as session:
        session.execute(delete(TusUploadRow).where(TusUploadRow.expires_at < (now or utcnow())))
        kept = set(session.scalars(select(TusUploadRow.id)))
    for partial in folder.iterdir():
        if partial.name not in kept:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def _create(session: Session, row: TusUploadRow) -> None:
    begin_writing(session)
    existing = service.find(session, row.project, row.path)
    if existing is not None and existing.is_folder:
        raise Conflict(f"{row.path!r} is a folder; a file cannot replace it")
    if existing is not None and not row.overwrite:
        raise PreconditionFailed(f"{row.path!r} exists; send the metadata 'overwrite' = '1' to replace it")
    for folder in parents(row.path):
        above = service.find(session, row.project, folder)
        if above is not None and not above.is_folder:
            raise Conflict(f"{folder!r} is a file, so {row.path!r} cannot be inside it")
    session.add(row)


def _drop_expired(session: Session, now: datetime, busy: set[str]) -> list[str]:
    expired = session.scalars(select(TusUploadRow.id).where(TusUploadRow.expires_at < now)).all()
    gone = [upload_id for upload_id in expired if upload_id not in busy]
    for upload_id in gone:
        _delete(session, upload_id)
    return gone


def _live(session: Session, project: str, upload_id: str) -> TusUploadRow:
    row = session.get(TusUploadRow, upload_id) if _ID.fullmatch(upload_id) else None
    if row is None or row.project != project or row.expires_at < utcnow():
        raise NotFound(f"no upload {upload_id!r} in project {project!r} (finished, terminated or expired)")
    return row


def _delete(session: Session, upload_id: str) -> None:
    begin_writing(session)
    session.execute(delete(TusUploadRow).where(TusUploadRow.id == upload_id))


def _hash_prefix(path: Path, size: int) -> Any:
    digest = hashlib.sha256()
    with path.open("rb") as partial:
        left = size
        while left and (chunk := partial.read(min(HASH_CHUNK_BYTES, left))):
            digest.update(chunk)
            left -= len(chunk)
    return digest


def _head(path: Path) -> bytes:
    with path.open("rb") as partial:
        return partial.read(HEAD_BYTES)
