"""Values in ui_gen's plain shape (see `ui_gen.schema`) ↔ flyteidl Literals.

The literals are built the way flytekit's TypeEngine builds them, so a form submission
and `pyflyte run` hand a workflow the same LiteralMap: unions carry their variant's
type, Optionals are unions with `none`, dataclasses and pydantic models are msgpack
binaries with fields in declaration order, files and directories are blobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf.json_format import MessageToDict

from ui_gen.schema import Chosen, TypeSpec

_MSGPACK = "msgpack"


def to_literal_map(
    values: Mapping[str, Any], types: Mapping[str, tuple[types_pb2.LiteralType, TypeSpec]]
) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(literals={name: to_literal(value, *types[name]) for name, value in values.items()})


def to_literal(value: Any, literal_type: types_pb2.LiteralType, kind: TypeSpec) -> literals_pb2.Literal:
    match kind.kind:
        case "optional" | "union":
            variants = list(literal_type.union_type.variants)
            if kind.kind == "optional":
                present = next(i for i, v in enumerate(variants) if not _is_none(v))
                none = next(i for i, v in enumerate(variants) if i != present)
                branch, inner = (none, None) if value is None else (present, value)
                branch_kind = TypeSpec("none") if value is None else kind.child
            else:
                branch, inner = value.branch, value.value
                branch_kind = kind.children[branch]
            return _scalar(
                union=literals_pb2.Union(value=to_literal(inner, variants[branch], branch_kind), type=variants[branch])
            )
        case "none":
            return _scalar(none_type=literals_pb2.Void())
        case "list":
            return literals_pb2.Literal(
                collection=literals_pb2.LiteralCollection(
                    literals=[to_literal(item, literal_type.collection_type, kind.child) for item in value]
                )
            )
        case "dict":
            return literals_pb2.Literal(
                map=literals_pb2.LiteralMap(
                    literals={
                        key: to_literal(item, literal_type.map_value_type, kind.child) for key, item in value.items()
                    }
                )
            )
        case "struct":
            packed = msgpack.packb(_plain(value, kind))
            return _scalar(binary=literals_pb2.Binary(value=packed, tag=_MSGPACK))
        case "file" | "directory":
            metadata = literals_pb2.BlobMetadata(type=literal_type.blob)
            return _scalar(blob=literals_pb2.Blob(metadata=metadata, uri=value))
        case _:
            return _scalar(primitive=_primitive(value, kind))


def literal_to_value(literal: literals_pb2.Literal, kind: TypeSpec) -> Any:
    """The inverse of `to_literal`, for defaults and for relaunching with earlier inputs."""
    if literal.HasField("collection"):
        return [literal_to_value(item, kind.child) for item in literal.collection.literals]
    if literal.HasField("map"):
        return {key: literal_to_value(item, kind.child) for key, item in literal.map.literals.items()}
    scalar = literal.scalar
    match scalar.WhichOneof("value"):
        case "none_type":
            return None
        case "union":
            inner = scalar.union.value
            if kind.kind == "optional":
                none = inner.scalar.WhichOneof("value") == "none_type"
                return None if none else literal_to_value(inner, kind.child)
            branch = _branch_of(scalar.union.type, kind)
            return Chosen(branch, literal_to_value(inner, kind.children[branch]))
        case "blob":
            return scalar.blob.uri
        case "binary":
            return _from_plain(msgpack.unpackb(scalar.binary.value), kind)
        case "generic":
            return _from_plain(MessageToDict(scalar.generic), kind)
        case "primitive":
            return primitive_value(scalar.primitive)
        case other:
            raise ValueError(f"a {other or 'empty'} literal has no form value")


def _is_none(literal_type: types_pb2.LiteralType) -> bool:
    """SimpleType.NONE is 0, the default of every LiteralType: check the oneof, not the value."""
    return literal_type.WhichOneof("type") == "simple" and literal_type.simple == types_pb2.SimpleType.NONE


def _scalar(**value: Any) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(**value))


def _primitive(value: Any, kind: TypeSpec) -> literals_pb2.Primitive:
    primitive = literals_pb2.Primitive()
    match kind.kind:
        case "int":
            primitive.integer = value
        case "float":
            primitive.float_value = value
        case "bool":
            primitive.boolean = value
        case "datetime":
            primitive.datetime.FromDatetime(value.astimezone(UTC).replace(tzinfo=None))
        case "duration":
            primitive.duration.FromTimedelta(value)
        case "str" | "enum":
            primitive.string_value = value
        case other:
            raise ValueError(f"no primitive literal for a {other}")
    return primitive


def primitive_value(primitive: literals_pb2.Primitive) -> Any:
    """A Primitive as Python: datetimes in UTC, durations as timedeltas."""
    match primitive.WhichOneof("value"):
        case "datetime":
            return primitive.datetime.ToDatetime(tzinfo=UTC)
        case "duration":
            return primitive.duration.ToTimedelta()
        case name if name:
            return getattr(primitive, name)
    return None


def _plain(value: Any, kind: TypeSpec) -> Any:
    """A value as flytekit's msgpack encoding of a dataclass field holds it."""
    if value is None:
        return None
    match kind.kind:
        case "struct":
            return {f.name: _plain(value.get(f.name), f.type) for f in kind.fields if f.name in value}
        case "file" | "directory":
            return {"path": value}
        case "optional":
            return _plain(value, kind.child)
        case "union":
            return _plain(value.value, kind.children[value.branch])
        case "list":
            return [_plain(item, kind.child) for item in value]
        case "dict":
            return {key: _plain(item, kind.child) for key, item in value.items()}
        case "datetime":
            return value.isoformat()
        case "duration":
            return value.total_seconds()
        case _:
            return value


def _from_plain(value: Any, kind: TypeSpec) -> Any:
    if value is None:
        return None
    match kind.kind:
        case "struct":
            return {f.name: _from_plain(value[f.name], f.type) for f in kind.fields if f.name in value}
        case "file" | "directory":
            return value.get("path") if isinstance(value, dict) else value
        case "optional":
            return _from_plain(value, kind.child)
        case "union":
            branch = next(i for i, b in enumerate(kind.children) if _fits(value, b))
            return Chosen(branch, _from_plain(value, kind.children[branch]))
        case "list":
            return [_from_plain(item, kind.child) for item in value]
        case "dict":
            return {key: _from_plain(item, kind.child) for key, item in value.items()}
        case "datetime":
            return datetime.fromisoformat(value)
        case "duration":
            return timedelta(seconds=value)
        case "int" if isinstance(value, float) and value.is_integer():
            return int(value)
        case _:
            return value


_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,), "float": (int, float), "bool": (bool,), "str": (str,), "enum": (str,), "datetime": (str,),
    "duration": (int, float), "list": (list,), "dict": (dict,), "struct": (dict,), "file": (dict, str),
    "directory": (dict, str), "none": (type(None),), "optional": (object,),
}  # fmt: skip


def _fits(value: Any, kind: TypeSpec) -> bool:
    """Whether a msgpack'd union member could be of branch `kind` (msgpack keeps no tag)."""
    if isinstance(value, bool) and kind.kind != "bool":
        return False
    if kind.kind == "struct" and isinstance(value, dict):
        # A record fits only with its own keys and all its required ones: a PairedEndReads
        # payload ({r1, r2}) is not read as the SingleEndReads ({r1}) listed before it.
        names = {f.name for f in kind.fields}
        return set(value) <= names and all(f.name in value for f in kind.fields if f.required)
    return isinstance(value, _PLAIN_TYPES.get(kind.kind, ()))


def _branch_of(variant: types_pb2.LiteralType, kind: TypeSpec) -> int:
    """Which branch of `kind` a union literal's variant type names."""
    from ui_gen.adapters.flyteidl import type_spec

    wanted = type_spec(variant)
    for index, branch in enumerate(kind.children):
        if (branch.kind, branch.title, branch.enum_values) == (wanted.kind, wanted.title, wanted.enum_values):
            return index
    raise ValueError(f"a union literal of type {wanted.label} matches no branch of {kind.label}")
