"""One short line of text for any literal a workflow was given or produced.

Previews are shown on pages and in the JSON API, so they must never fail: any literal
flytekit can write (maps with integer keys packed by msgpack, offloaded literals, error
scalars, schemas) reads as something, and what cannot be decoded says so. Only as much
of a value is read as a preview can show, so a list of millions of items or a huge string
costs no more than a small one.
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

import msgpack
from flyteidl.core import literals_pb2
from google.protobuf import text_format
from google.protobuf.json_format import MessageToDict, SerializeToJsonError

from ui_gen.adapters.literals import primitive_value

PREVIEW_CHARS = 80
MAX_PREVIEW_BYTES = 64 * 1024
"""A struct or msgpack value larger than this is previewed by its size, not decoded."""
_MSGPACK = "msgpack"


def literal_preview(literal: literals_pb2.Literal) -> str:
    """A short human reading of a value: JSON-like, files as their URI, cut at 80 characters."""
    while literal.scalar.HasField("union"):  # an Optional[...] reads as its value
        literal = literal.scalar.union.value
    readable = _readable(literal)
    text = readable if isinstance(readable, str) and literal.scalar.HasField("blob") else None
    text = text or json.dumps(_jsonable(readable), default=str, ensure_ascii=False)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _readable(literal: literals_pb2.Literal) -> Any:
    """The first PREVIEW_CHARS items, characters or bytes are all a preview can show."""
    if literal.HasField("collection"):
        return [_readable(item) for item in islice(literal.collection.literals, PREVIEW_CHARS)]
    if literal.HasField("map"):
        return {key: _readable(item) for key, item in islice(literal.map.literals.items(), PREVIEW_CHARS)}
    if literal.HasField("offloaded_metadata"):
        return {"offloaded": literal.offloaded_metadata.uri}
    scalar = literal.scalar
    match scalar.WhichOneof("value"):
        case "primitive":
            value = primitive_value(scalar.primitive)
            return value[: PREVIEW_CHARS + 1] if isinstance(value, str) else value
        case "none_type" | None:
            return None
        case "union":
            return _readable(scalar.union.value)
        case "blob":
            return scalar.blob.uri
        case "binary" if scalar.binary.tag == _MSGPACK and len(scalar.binary.value) <= MAX_PREVIEW_BYTES:
            return _unpacked(scalar.binary.value)
        case _ if literal.ByteSize() > MAX_PREVIEW_BYTES:
            return f"<{literal.ByteSize()} bytes of {scalar.WhichOneof('value')}>"
        case _:
            return _message(literal)


def _message(literal: literals_pb2.Literal) -> Any:
    """Protobuf's JSON refuses some values a literal may hold (an infinite number in a struct)."""
    try:
        return MessageToDict(literal)
    except SerializeToJsonError:
        return text_format.MessageToString(literal, as_one_line=True)


def _unpacked(packed: bytes) -> Any:
    """flytekit packs `dict[int, str]` with integer keys, so keys are not checked to be text;
    arrays come back as tuples so that they can be keys too."""
    try:
        return msgpack.unpackb(packed, strict_map_key=False, use_list=False)
    except (ValueError, TypeError, msgpack.UnpackException) as error:
        return f"<{len(packed)} bytes of msgpack that do not decode: {error}>"


def _jsonable(value: Any) -> Any:
    """JSON allows only text keys: other keys are written as their own JSON."""
    if isinstance(value, dict):
        return {_key(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _key(key: Any) -> str:
    return key if isinstance(key, str) else json.dumps(_jsonable(key), default=str, ensure_ascii=False)
