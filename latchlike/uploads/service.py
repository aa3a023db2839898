"""Handing out upload locations and accepting the uploads that use them.

An upload is streamed to a staging file while its MD5 is computed, checked against the
MD5 the URL was signed for (if it was signed for one), synced to disk, and only then moved into the store and
recorded. A bad signature, an expired URL or a wrong checksum stores nothing.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from latchlike.accounts.limits import check_size
from latchlike.db import Database, insert_if_absent, utcnow
from latchlike.errors import Conflict, InvalidArgument
from latchlike.specs.projects import require_project_domain
from latchlike.store import FileStore
from latchlike.store.keys import upload_key
from latchlike.uploads.signing import UploadGrant, UrlSigner
from latchlike.uploads.tables import UploadedObjectRow

STAGING_PREFIX = "upload-"


@dataclass(frozen=True)
class UploadLocation:
    signed_url: str
    native_url: str
    expires_at: datetime


def create_upload_location(
    session: Session,
    *,
    store: FileStore,
    signer: UrlSigner,
    project: str,
    domain: str,
    filename: str,
    filename_root: str,
    content_md5: bytes,
    expires_in: timedelta | None,
    max_ttl: timedelta,
) -> UploadLocation:
    require_project_domain(session, project, domain)
    if content_md5 and len(content_md5) != 16:
        raise InvalidArgument("content_md5 must be the 16-byte MD5 digest of the file to upload")
    if not content_md5 and not filename_root:
        raise InvalidArgument("an upload location needs content_md5 or filename_root")
    # Without a checksum (flytekit's buffered writes, e.g. a data frame) the bytes are taken
    # as sent, under a fresh random name as FlyteAdmin gives them, so nothing is replaced.
    filename = filename or secrets.token_hex(8)
    root = filename_root or base64.b32encode(content_md5).decode().rstrip("=").lower()
    key = upload_key(project, domain, root, filename)
    ttl = min(expires_in, max_ttl) if expires_in and expires_in.total_seconds() > 0 else max_ttl
    expires_at = utcnow() + ttl
    grant = UploadGrant(key=key, md5_hex=content_md5.hex(), expires=int(expires_at.timestamp()))
    return UploadLocation(signer.signed_url(grant), store.uri(key), expires_at)


async def receive_upload(
    *,
    db: Database,
    store: FileStore,
    signer: UrlSigner,
    staging_dir: Path,
    max_idle_seconds: float,
    max_bytes: int,
    grant: UploadGrant,
    signature: str,
    content_md5_header: str | None,
    body: AsyncIterator[bytes],
    now: float,
) -> None:
    """Raises PermissionDenied, InvalidArgument, PayloadTooLarge or Conflict; stores only on success."""
    signer.verify(grant, signature, now=now)
    if grant.md5_hex and _header_md5_hex(content_md5_header) != grant.md5_hex:
        raise InvalidArgument("Content-MD5 header does not match the checksum this URL was issued for")
    staging_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(clean_staging, staging_dir, idle_seconds=max_idle_seconds, now=now)
    handle, staged_name = tempfile.mkstemp(dir=staging_dir, prefix=STAGING_PREFIX)
    staged = Path(staged_name)
    try:
        size, md5_hex = await _stream_to(handle, body, max_bytes)
        if grant.md5_hex and md5_hex != grant.md5_hex:
            raise InvalidArgument("uploaded bytes do not match Content-MD5; the upload was discarded")
        await db.run(lambda session: _commit(session, store, grant.key, staged, md5_hex, size))
    finally:
        staged.unlink(missing_ok=True)


async def _stream_to(handle: int, body: AsyncIterator[bytes], max_bytes: int) -> tuple[int, str]:
    digest = hashlib.md5()
    size = 0
    with os.fdopen(handle, "wb") as staged:
        async for chunk in body:
            size += len(chunk)
            check_size(size, max_bytes)
            digest.update(chunk)
            staged.write(chunk)
        staged.flush()
        os.fsync(staged.fileno())  # accepted means on disk
    return size, digest.hexdigest()


def _commit(session: Session, store: FileStore, key: str, staged: Path, md5_hex: str, size: int) -> None:
    existing = session.get(UploadedObjectRow, key)
    if existing is not None:
        if existing.md5 != md5_hex:
            raise Conflict(f"{key} already holds different content; uploaded objects are immutable")
        return  # the same bytes again: nothing to do
    store.put_file(key, staged)
    row = {"key": key, "md5": md5_hex, "size": size, "created_at": utcnow()}
    insert_if_absent(session, UploadedObjectRow, row)  # a concurrent identical upload may win


def clean_staging(staging_dir: Path, *, idle_seconds: float = 0.0, now: float | None = None) -> int:
    """Remove staged uploads nothing has written to for `idle_seconds` (0: every one); how many.

    A finished or refused upload removes its own file; only a process killed mid-upload
    leaves one. So the server clears them all on start, and each new upload ages out the
    ones idle longer than an upload URL lives (a live upload keeps its file's mtime fresh).
    """
    now = time.time() if now is None else now
    removed = 0
    for staged in staging_dir.glob(f"{STAGING_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):  # a concurrent sweep or upload got there first
            if now - staged.stat().st_mtime >= idle_seconds:
                staged.unlink()
                removed += 1
    return removed


def _header_md5_hex(header: str | None) -> str:
    if not header:
        raise InvalidArgument("the Content-MD5 header is required")
    try:
        raw = base64.b64decode(header, validate=True)
    except binascii.Error:
        raise InvalidArgument("Content-MD5 must be the base64 of the MD5 digest") from None
    if len(raw) != 16:
        raise InvalidArgument("Content-MD5 must be the base64 of the 16-byte MD5 digest")
    return raw.hex()
