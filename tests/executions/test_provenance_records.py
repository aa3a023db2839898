"""An execution's managed inputs take the checksum their records got at upload: the engine's
step reads no input bytes for them (a large input costs its step nothing)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flyteidl.core import literals_pb2
from sqlalchemy.orm import Session

from latchlike.errors import InternalError
from latchlike.executions.provenance import record_files
from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.files import service
from latchlike.files.staging import StagedFile
from latchlike.platform import Platform
from latchlike.store.local import LocalFileStore

FASTQ = b"@r1\nACGT\n+\nIIII\n"


class UnreadableStore(LocalFileStore):
    """The local store with its reads refused: any hashing of stored bytes fails the test."""

    def open(self, key: str) -> BinaryIO:
        raise InternalError(f"read {key}")

    def stream(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        raise InternalError(f"read {key}")


def _blob(uri: str) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(uri=uri)))


def test_managed_inputs_take_their_records_checksums(platform: Platform, tmp_path: Path) -> None:
    store = UnreadableStore(platform.settings.data_dir / "store")
    for path in ("run1/a.fastq", "run1/b.fastq"):
        staged = StagedFile(platform.staging_dir)
        staged.write(FASTQ)
        staged.finish()
        with platform.db.session() as session:
            service.put(session, store, "lab", path, staged)
    reads, folder = _blob(store.uri("files/lab/run1/a.fastq")), _blob(store.uri("files/lab/run1"))
    inputs = literals_pb2.LiteralMap(literals={"reads": reads, "folder": folder})
    with Session(platform.db.engine, autoflush=False) as session:  # never flushed: there is no execution row
        record_files(session, store, ExecutionRow(id=1), inputs, direction="input")
        rows = sorted(
            (row.name, row.sha256, row.size, row.folder) for row in session.new if isinstance(row, ExecutionFileRow)
        )
    digest = hashlib.sha256(FASTQ).hexdigest()
    listing = hashlib.sha256(f"a.fastq {digest}\nb.fastq {digest}\n".encode()).hexdigest()
    assert rows == [("folder", listing, 2 * len(FASTQ), True), ("reads", digest, len(FASTQ), False)]
