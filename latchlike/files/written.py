"""A directory an execution wrote, recorded into its project's managed files: Latch's
output directory (`output: true`) as the project's own files, where listings show it.

Each file is copied as a new object (hashed and typed while it streams, read-only, moved
into place like an upload) and recorded with `written_by`, the execution, and
`uploaded_by`, who launched it. The task's own objects stay where it wrote them: they are
its provenance. All rows are one unit of work: the directory is recorded whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from latchlike.files import service
from latchlike.files.paths import check_path, check_writable
from latchlike.files.staging import StagedFile
from latchlike.files.tables import ManagedFileRow
from latchlike.store import FileStore

STAGING_PREFIX = "files-output-"


def record_directory(
    session: Session, store: FileStore, project: str, path: str, source_key: str,
    *, written_by: str, uploaded_by: str, staging_dir: Path,
) -> list[ManagedFileRow]:  # fmt: skip
    """Copy every object below `source_key` into the project's files at `path` (a file
    already there is replaced by a new object; folders are made, an empty source makes
    an empty folder); return the file rows, by path."""
    path = check_path(path)
    check_writable(path)
    prefix = source_key.rstrip("/") + "/"
    objects = store.list(prefix)
    for item in objects:  # every name is checked before anything is copied
        check_path(f"{path}/{item.key.removeprefix(prefix)}")
    if not objects:
        service.make_folder(session, project, path)
    rows = []
    for item in objects:
        staged = StagedFile(staging_dir, prefix=STAGING_PREFIX)
        try:
            for chunk in store.stream(item.key):
                staged.write(chunk)
            staged.finish()
            row, _ = service.put(session, store, project, f"{path}/{item.key.removeprefix(prefix)}", staged,
                                 uploaded_by=uploaded_by, written_by=written_by)  # fmt: skip
        finally:
            staged.discard()
        rows.append(row)
    return rows
