"""Whether a value of one Flyte type can be bound to an input of another, as FlyteAdmin's
compiler asks of every binding. Deliberately lenient where flytekit converts at run time
(dataclasses, dicts and pickles, blob formats, enums and strings, schemas and dataframes):
it refuses only bindings that cannot work, such as an int into a file or a list into a str."""

from __future__ import annotations

from flyteidl.core import types_pb2

_SIMPLE = types_pb2.SimpleType
LOOSE_SIMPLE = frozenset({_SIMPLE.STRUCT, _SIMPLE.BINARY})
"""Dataclasses, dicts, msgpack and pickled values: flytekit reads them into many types."""


def can_feed(source: types_pb2.LiteralType, target: types_pb2.LiteralType) -> bool:
    kind, wanted = source.WhichOneof("type"), target.WhichOneof("type")
    if kind is None or wanted is None:
        return True  # an untyped side: nothing to check against
    if wanted == "union_type":
        if kind == "union_type":
            return all(any(can_feed(v, w) for w in target.union_type.variants) for v in source.union_type.variants)
        return any(can_feed(source, variant) for variant in target.union_type.variants)
    if kind == "union_type":
        return any(can_feed(variant, target) for variant in source.union_type.variants)
    if _loose(source) or _loose(target):
        return True
    if kind != wanted:
        if {kind, wanted} == {"enum_type", "simple"}:
            return _SIMPLE.STRING in (source.simple, target.simple)  # an enum is its string value
        return {kind, wanted} == {"schema", "structured_dataset_type"}
    match kind:
        case "simple":
            return source.simple == target.simple
        case "collection_type":
            return can_feed(source.collection_type, target.collection_type)
        case "map_value_type":
            return can_feed(source.map_value_type, target.map_value_type)
        case "blob":
            return source.blob.dimensionality == target.blob.dimensionality
    return True  # enums, schemas, dataframes: flytekit checks their details at run time


def _loose(literal_type: types_pb2.LiteralType) -> bool:
    return literal_type.WhichOneof("type") == "simple" and literal_type.simple in LOOSE_SIMPLE


def element(literal_type: types_pb2.LiteralType, key: str | int) -> types_pb2.LiteralType | None:
    """The type one step of an attribute path (`result.counts[0]`) leads to; None when it
    cannot be known before run time (inside a dataclass or a dict)."""
    kind = literal_type.WhichOneof("type")
    if kind == "collection_type" and isinstance(key, int):
        return literal_type.collection_type
    if kind == "map_value_type" and isinstance(key, str):
        return literal_type.map_value_type
    return None
