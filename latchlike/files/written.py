"""A directory an execution wrote, recorded into its project's managed files: Latch's
output directory (`output: true`) as the project's own files, where listings show it.

A task never writes into the project's folder (stored files are read-only to it): at launch
each output directory chosen in the form is swapped for a folder of the execution's own
(`redirect`), and when the execution succeeds what the task wrote there is recorded at the
chosen path (`record_outputs`).

Each file is copied as a new object (hashed and typed while it streams, read-only, moved
into place like an upload) and recorded with `written_by`, the execution, and
`uploaded_by`, who launched it. The task's own objects stay where it wrote them: they are
its provenance. All rows are one unit of work: the directory is recorded whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flyteidl.core import literals_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.db import utcnow
from latchlike.errors import Conflict, LatchlikeError
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import ExecutionRow
from latchlike.files import service
from latchlike.files.managed import files_prefix
from latchlike.files.paths import check_path, check_writable, parents
from latchlike.files.staging import StagedFile
from latchlike.files.tables import ManagedFileRow, OutputDirectoryRow
from latchlike.store import FileStore
from latchlike.store.keys import check_key
from latchlike.store.local import LocalFileStore

STAGING_PREFIX = "files-output-"


def redirect(
    store: FileStore, project: str, domain: str, execution: str, inputs: literals_pb2.LiteralMap,
    output_inputs: Iterable[str],
) -> list[OutputDirectoryRow]:  # fmt: skip
    """Swap each output directory among `inputs` that names a folder of the project's files
    for a folder of the execution's own, changing `inputs` in place; the rows to keep with
    the execution (their `execution_id` is the caller's to set). A directory outside the
    project's files is left as chosen: the task writes there itself."""
    targets = []
    for name in sorted(output_inputs):
        literal = inputs.literals.get(name)
        if literal is None or not literal.scalar.HasField("blob"):
            continue
        key = store.key_of(literal.scalar.blob.uri)
        if key is None or not key.startswith(files_prefix(project)):
            continue
        path = check_path(key.removeprefix(files_prefix(project)))
        check_writable(path)
        own = check_key(f"executions/{project}/{domain}/{execution}/outputs/{name}")
        if isinstance(store, LocalFileStore):  # flytekit wants a local directory input to exist
            (store.root / own).mkdir(parents=True, exist_ok=True)
        literal.scalar.blob.uri = store.uri(own)
        targets.append(OutputDirectoryRow(input=name, project=project, path=path, key=own))
    return targets


def keep(session: Session, key: ExecutionKey, targets: list[OutputDirectoryRow]) -> None:
    """Keep the output directories `redirect` made with the execution just created."""
    if not targets:
        return
    session.flush()
    execution_id = session.scalars(
        select(ExecutionRow.id).where(
            ExecutionRow.project == key.project, ExecutionRow.domain == key.domain, ExecutionRow.name == key.name
        )
    ).one()
    for target in targets:
        target.execution_id = execution_id
        session.add(target)


def as_chosen(
    session: Session, store: FileStore, key: ExecutionKey, inputs: literals_pb2.LiteralMap
) -> literals_pb2.LiteralMap:
    """The execution's inputs as its form was filled in: each output directory `redirect`
    swapped back for the chosen folder, so a relaunch writes there again."""
    targets = session.scalars(
        select(OutputDirectoryRow)
        .join(ExecutionRow, ExecutionRow.id == OutputDirectoryRow.execution_id)
        .where(ExecutionRow.project == key.project, ExecutionRow.domain == key.domain, ExecutionRow.name == key.name)
    ).all()
    chosen = literals_pb2.LiteralMap()
    chosen.CopyFrom(inputs)
    for target in targets:
        literal = chosen.literals.get(target.input)
        if literal is not None and literal.scalar.HasField("blob"):
            literal.scalar.blob.uri = store.uri(files_prefix(target.project) + target.path)
    return chosen


def record_outputs(session: Session, store: FileStore, execution: ExecutionRow, staging_dir: Path) -> str | None:
    """When `execution` has succeeded: record what it wrote in each output directory. The
    reason if that cannot be done (a file where a folder must go): nothing is recorded then."""
    targets = session.scalars(
        select(OutputDirectoryRow).where(
            OutputDirectoryRow.execution_id == execution.id, OutputDirectoryRow.recorded_at.is_(None)
        )
    ).all()
    if not targets:
        return None
    try:
        with session.begin_nested():
            for target in targets:
                record_directory(
                    session, store, target.project, target.path, target.key, staging_dir=staging_dir,
                    written_by=f"{execution.project}/{execution.domain}/{execution.name}",
                    uploaded_by=execution.launched_by,
                )  # fmt: skip
                target.recorded_at = utcnow()
    except LatchlikeError as error:
        return f"its output directory could not be recorded in the project's files: {error.message}"
    return None


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
    # Every name and place is checked before any object is copied: a put replaces its object
    # at once, so a refusal halfway would leave rows and objects that disagree.
    _check_room(session, project, [path], folders=True)
    _check_room(session, project, [check_path(f"{path}/{item.key.removeprefix(prefix)}") for item in objects])
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


def _check_room(session: Session, project: str, paths: list[str], *, folders: bool = False) -> None:
    """Conflict unless each path can take a file (or, with `folders`, be a folder): no file
    above it, no folder (or file) at it."""
    for path in paths:
        for above in parents(path):
            if (row := service.find(session, project, above)) is not None and not row.is_folder:
                raise Conflict(f"{above!r} is a file, so {path!r} cannot be inside it")
        row = service.find(session, project, path)
        if row is not None and row.is_folder != folders:
            raise Conflict(f"{path!r} is a {'folder' if row.is_folder else 'file'}, so the output cannot go there")
