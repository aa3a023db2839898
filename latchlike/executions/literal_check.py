"""Does a literal fit a declared LiteralType? Checked when an execution is created from
literals (gRPC CreateExecution), so a wrongly typed input is refused at launch, naming the
input, instead of failing later inside a task as a system error. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable

from flyteidl.core import literals_pb2, types_pb2

_PRIMITIVE_BY_SIMPLE = {
    types_pb2.SimpleType.INTEGER: "integer",
    types_pb2.SimpleType.FLOAT: "float_value",
    types_pb2.SimpleType.STRING: "string_value",
    types_pb2.SimpleType.BOOLEAN: "boolean",
    types_pb2.SimpleType.DATETIME: "datetime",
    types_pb2.SimpleType.DURATION: "duration",
}

_WORDS = {"integer": "integer", "float_value": "float", "string_value": "string", "boolean": "boolean",
          "datetime": "datetime", "duration": "duration"}  # fmt: skip


def misfit(literal: literals_pb2.Literal, expected: types_pb2.LiteralType) -> str | None:
    """Why `literal` cannot be a value of `expected`, or None when it can (or this server
    cannot tell: types it does not know are left to the task)."""
    kind = expected.WhichOneof("type")
    value = literal.WhichOneof("value")
    if value == "offloaded_metadata" or kind is None:
        return None
    if kind == "union_type":
        inner = literal.scalar.union.value if literal.scalar.WhichOneof("value") == "union" else literal
        fits = any(misfit(inner, variant) is None for variant in expected.union_type.variants)
        return None if fits else "fits none of the union's types"
    if kind == "collection_type":
        if value != "collection":
            return f"is a {_shape(literal)}, not a list"
        return _first(misfit(item, expected.collection_type) for item in literal.collection.literals)
    if kind == "map_value_type":
        if value != "map":
            return f"is a {_shape(literal)}, not a map"
        return _first(misfit(item, expected.map_value_type) for item in literal.map.literals.values())
    if value != "scalar":
        return f"is a {_shape(literal)}, not a single value"
    return _scalar_misfit(literal.scalar, expected, kind)


def _scalar_misfit(scalar: literals_pb2.Scalar, expected: types_pb2.LiteralType, kind: str) -> str | None:
    held = scalar.WhichOneof("value")
    if kind == "simple":
        simple = expected.simple
        if simple == types_pb2.SimpleType.NONE:
            return None if held == "none_type" else f"is a {held}, not none"
        if simple == types_pb2.SimpleType.STRUCT:
            return None if held in ("generic", "binary") else f"is a {held}, not a struct"
        primitive = _PRIMITIVE_BY_SIMPLE.get(simple)
        if primitive is None:
            return None
        found = scalar.primitive.WhichOneof("value") if held == "primitive" else held
        if found == primitive:
            return None
        return f"is a {_WORDS.get(found or '', found)}, not a {_WORDS[primitive]}"
    if kind == "enum_type":
        text = scalar.primitive.string_value if held == "primitive" else None
        return None if text in expected.enum_type.values else f"is not one of {', '.join(expected.enum_type.values)}"
    if kind == "blob":
        return None if held == "blob" else f"is a {held}, not a file or directory"
    if kind == "structured_dataset_type":
        return None if held == "structured_dataset" else f"is a {held}, not a structured dataset"
    return None


def _shape(literal: literals_pb2.Literal) -> str:
    value = literal.WhichOneof("value")
    return {"collection": "list", "map": "map", "scalar": "single value"}.get(value or "", "empty literal")


def _first(reasons: Iterable[str | None]) -> str | None:
    return next((f"has an item that {reason}" for reason in reasons if reason is not None), None)
