"""A project's managed files: the folder `files/<project>/` of the file store.

Forms pick inputs from here and (later) uploads land here. Paths below the project's
folder are relative POSIX paths whose every part the key rules accept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from latchlike.errors import InvalidArgument, NotFound
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


def add_file(store: FileStore, project: str, source: Path, path: str, *, staging_dir: Path) -> str:
    """Copy a local file into the project's folder at `path`; return its store URI.

    The store moves a finished file into place, so the copy is made first in `staging_dir`
    (the data dir's, beside a local store: the move is a rename), and removed whatever
    happens. `source` may be a pipe (`<(zcat reads.fastq.gz)`): it is read, not linked."""
    if not source.exists() or source.is_dir():
        raise NotFound(f"no file {source}")
    key = managed_key(project, path)
    staging_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=staging_dir, prefix="files-add-")
    staged = Path(name)
    try:
        # Unbuffered: a chunk is written as soon as it is read, however slowly a pipe fills.
        with source.open("rb", buffering=0) as reader, os.fdopen(handle, "wb", buffering=0) as writer:
            shutil.copyfileobj(reader, writer, COPY_CHUNK_BYTES)
        store.put_file(key, staged)
    finally:
        staged.unlink(missing_ok=True)
    return store.uri(key)
