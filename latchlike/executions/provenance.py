"""Which files went into an execution and which came out of each node, with checksums.

A file is found wherever a literal holds a blob (or a structured dataset) — in lists,
maps, unions — and named by where it sits (`samples[2]`, `o0.report`). Files in
latchlike's store are hashed as stored; a directory's checksum covers each file's path
and checksum, so renaming or changing any file changes it. A URI outside the store is
recorded as given, without a checksum.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from flyteidl.core import literals_pb2
from sqlalchemy.orm import Session

from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.store import FileStore

CHUNK = 1024 * 1024


def blob_uris(literals: literals_pb2.LiteralMap) -> Iterator[tuple[str, str]]:
    """(where, URI) of every file or directory in a LiteralMap, in name order."""
    for name in sorted(literals.literals):
        yield from _walk(name, literals.literals[name])


def _walk(where: str, literal: literals_pb2.Literal) -> Iterator[tuple[str, str]]:
    if literal.HasField("collection"):
        for index, item in enumerate(literal.collection.literals):
            yield from _walk(f"{where}[{index}]", item)
    elif literal.HasField("map"):
        for key in sorted(literal.map.literals):
            yield from _walk(f"{where}.{key}", literal.map.literals[key])
    elif literal.scalar.HasField("union"):
        yield from _walk(where, literal.scalar.union.value)
    elif literal.scalar.HasField("blob") and literal.scalar.blob.uri:
        yield where, literal.scalar.blob.uri
    elif literal.scalar.HasField("structured_dataset") and literal.scalar.structured_dataset.uri:
        yield where, literal.scalar.structured_dataset.uri


def record_files(
    session: Session,
    store: FileStore,
    execution: ExecutionRow,
    literals: literals_pb2.LiteralMap,
    *,
    direction: str,
    node_id: str | None = None,
) -> None:
    for where, uri in blob_uris(literals):
        key = store.key_of(uri)
        sha256, size = _checksum(store, key) if key is not None else (None, None)
        row = ExecutionFileRow(
            execution_id=execution.id, direction=direction, name=where, uri=uri, key=key,
            sha256=sha256, size=size, node_id=node_id,
        )  # fmt: skip
        session.add(row)


def _checksum(store: FileStore, key: str) -> tuple[str | None, int | None]:
    if store.exists(key):
        return _file_checksum(store, key)
    inside = store.list(key.rstrip("/") + "/")
    if not inside:
        return None, None  # neither a file nor a directory: recorded as named
    listing = hashlib.sha256()
    for item in inside:
        digest, _ = _file_checksum(store, item.key)
        listing.update(f"{item.key.removeprefix(key.rstrip('/') + '/')} {digest}\n".encode())
    return listing.hexdigest(), sum(item.size for item in inside)


def _file_checksum(store: FileStore, key: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with store.open(key) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
