"""A project's managed files: the folder `files/<project>/` of the file store.

Forms pick inputs from here and (later) uploads land here. Paths below the project's
folder are relative POSIX paths whose every part the key rules accept.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath

from latchlike.errors import InvalidArgument, NotFound
from latchlike.store import FileStore
from latchlike.store.keys import check_key


def files_prefix(project: str) -> str:
    return f"files/{check_key(project)}/"


def managed_key(project: str, path: str) -> str:
    parts = PurePosixPath(path.strip("/")).parts
    if not parts:
        raise InvalidArgument("a managed file needs a path below the project's folder")
    return check_key(files_prefix(project) + "/".join(parts))


def add_file(store: FileStore, project: str, source: Path, path: str) -> str:
    """Copy a local file into the project's folder at `path`; return its store URI."""
    if not source.is_file():
        raise NotFound(f"no file {source}")
    key = managed_key(project, path)
    with tempfile.TemporaryDirectory() as scratch:
        staged = Path(scratch) / source.name
        shutil.copyfile(source, staged)
        store.put_file(key, staged)
    return store.uri(key)
