"""Which files went into an execution and which came out of each node, with checksums.

A file is found wherever a literal holds a blob (or a structured dataset) — in lists,
maps, unions, and inside records: a dataclass arrives as msgpack bytes (or, in flytekit's
older format, a protobuf Struct) whose file fields are dicts as flytekit writes them
(`{"path": uri}`, a dataset `{"uri": uri, "file_format": ...}`). Each is named by where it
sits (`samples[2].r1`, `o0.report`). Managed files carry the checksum taken as they were
uploaded; other files in latchlike's store are hashed as stored; a
directory's checksum covers each file's path and checksum, so renaming or changing any
file changes it. A URI outside the store is recorded as given, without a checksum.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import msgpack
from flyteidl.core import literals_pb2
from google.protobuf.json_format import MessageToDict
from sqlalchemy.orm import Session

from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.files.service import recorded_checksums
from latchlike.store import FileStore

CHUNK = 1024 * 1024
MSGPACK = "msgpack"
# The keys flytekit writes for a file or directory (FlyteFile/FlyteDirectory `_serialize`)
# and for a structured dataset inside a record; a record with other keys is not a file.
_FILE_KEYS = frozenset({"path", "metadata"})
_DATASET_KEYS = frozenset({"uri", "file_format"})


def blob_uris(literals: literals_pb2.LiteralMap) -> Iterator[tuple[str, str]]:
    """(where, URI) of every file or directory in a LiteralMap, in name order."""
    for name in sorted(literals.literals):
        yield from _walk(name, literals.literals[name])


def _walk(where: str, literal: literals_pb2.Literal) -> Iterator[tuple[str, str]]:
    scalar = literal.scalar
    if literal.HasField("collection"):
        for index, item in enumerate(literal.collection.literals):
            yield from _walk(f"{where}[{index}]", item)
    elif literal.HasField("map"):
        for key in sorted(literal.map.literals):
            yield from _walk(f"{where}.{key}", literal.map.literals[key])
    elif scalar.HasField("union"):
        yield from _walk(where, scalar.union.value)
    elif scalar.HasField("blob") and scalar.blob.uri:
        yield where, scalar.blob.uri
    elif scalar.HasField("structured_dataset") and scalar.structured_dataset.uri:
        yield where, scalar.structured_dataset.uri
    elif scalar.HasField("binary") and scalar.binary.tag == MSGPACK:
        yield from _walk_value(where, _unpack(scalar.binary.value))
    elif scalar.HasField("generic"):
        yield from _walk_value(where, MessageToDict(scalar.generic))


def _unpack(data: bytes) -> Any:
    try:
        return msgpack.unpackb(data, strict_map_key=False)
    except (ValueError, msgpack.UnpackException):
        return None  # bytes that are not msgpack hold no file we could name


def _walk_value(where: str, value: Any) -> Iterator[tuple[str, str]]:
    """Files inside a record's plain value (as msgpack or a Struct decodes it)."""
    if isinstance(value, dict):
        keys = set(value)
        if keys <= _FILE_KEYS and isinstance(value.get("path"), str) and value["path"]:
            yield where, value["path"]
        elif keys <= _DATASET_KEYS and isinstance(value.get("uri"), str) and value["uri"]:
            yield where, value["uri"]
        else:
            for key in sorted(value, key=str):
                yield from _walk_value(f"{where}.{key}", value[key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_value(f"{where}[{index}]", item)


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
        sha256, size, folder = _checksum(session, store, key) if key is not None else (None, None, False)
        row = ExecutionFileRow(
            execution_id=execution.id, direction=direction, name=where, uri=uri, key=key,
            sha256=sha256, size=size, node_id=node_id, folder=folder,
        )  # fmt: skip
        session.add(row)


def _checksum(session: Session, store: FileStore, key: str) -> tuple[str | None, int | None, bool]:
    """(checksum, size, whether it is a directory). A managed file's checksum is its record's,
    computed when it was uploaded; only files without one are read and hashed here."""
    recorded = recorded_checksums(session, key)
    if key in recorded:
        return *recorded[key], False
    if store.exists(key):
        return *_file_checksum(store, key), False
    inside = store.list(key.rstrip("/") + "/")
    if not inside:
        return None, None, False  # neither a file nor a directory: recorded as named
    listing = hashlib.sha256()
    for item in inside:
        digest, _ = recorded.get(item.key) or _file_checksum(store, item.key)
        listing.update(f"{item.key.removeprefix(key.rstrip('/') + '/')} {digest}\n".encode())
    return listing.hexdigest(), sum(item.size for item in inside), True


def _file_checksum(store: FileStore, key: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with store.open(key) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
