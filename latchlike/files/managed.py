"""A project's managed files: the folder `files/<project>/` of the file store, each with its
record (`service.py`).

Forms pick inputs from here and uploads land here. Paths below the project's
folder are relative POSIX paths whose every part the key rules accept.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from latchlike.accounts.limits import check_size, upload_limit
from latchlike.db import Database
from latchlike.errors import InvalidArgument, NotFound
from latchlike.files import service
from latchlike.files.paths import live_key
from latchlike.files.staging import StagedFile
from latchlike.store import FileStore
from latchlike.store.keys import check_key

COPY_CHUNK_BYTES = 1024 * 1024


def files_prefix(project: str) -> str:
    return f"files/{check_key(project)}/"


def managed_key(project: str, path: str) -> str:
    parts = PurePosixPath(path.strip("/")).parts
    if not parts:
        raise InvalidArgument("a managed file needs a path below the project's folder")
    return check_key(files_prefix(project) + "/".join(parts))


def add_file(
    db: Database, store: FileStore, project: str, source: Path, path: str, *, staging_dir: Path, max_bytes: int
) -> str:
    """Copy a local file into the project's folder at `path` and record it; return its URI.

    The copy is made first in `staging_dir` (the data dir's, beside a local store: the move
    is a rename), hashed and typed as it is read, and removed whatever happens. `source` may
    be a pipe (`<(zcat reads.fastq.gz)`): it is read, not linked. `max_bytes` is the
    server's upload limit, which the project's workspace may replace."""
    if not source.exists() or source.is_dir():
        raise NotFound(f"no file {source}")
    managed_key(project, path)  # refused before a byte is copied
    with db.session() as session:
        limit = upload_limit(session, project, max_bytes)
    if source.is_file():
        check_size(source.stat().st_size, limit)
    # Not the uploads' prefix: a server starting meanwhile must not sweep a slow copy away.
    staged = StagedFile(staging_dir, prefix="files-add-")
    try:
        # Unbuffered: a chunk is written as soon as it is read, however slowly a pipe fills.
        with source.open("rb", buffering=0) as reader:
            while chunk := reader.read(COPY_CHUNK_BYTES):
                staged.write(chunk)
                check_size(staged.size, limit)  # a pipe has no size until it ends
        staged.finish()
        with db.session() as session:
            row, _ = service.put(session, store, project, path.strip("/"), staged)
    finally:
        staged.discard()
    return store.uri(live_key(project, row.path))
