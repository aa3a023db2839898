"""flyteidl TypedInterface (+ a launch plan's defaults) → `InterfaceSpec`.

Protobuf maps keep no order: flytekit's client (upb) already serializes a VariableMap in
hash order, and the docstring's Args section is not kept either, so the signature order
is not in what `pyflyte register` sends. Until it is recovered from elsewhere (the
fast-register bundle's source, say), parameters are listed in name order.
"""

from __future__ import annotations

import json

import msgpack
from flyteidl.core import interface_pb2, literals_pb2, types_pb2
from google.protobuf.json_format import MessageToDict

from ui_gen.schema import InterfaceSpec, ParameterSpec, TypeSpec

_SIMPLE = {
    types_pb2.SimpleType.INTEGER: "int",
    types_pb2.SimpleType.FLOAT: "float",
    types_pb2.SimpleType.STRING: "str",
    types_pb2.SimpleType.BOOLEAN: "bool",
    types_pb2.SimpleType.DATETIME: "datetime",
    types_pb2.SimpleType.DURATION: "duration",
    types_pb2.SimpleType.NONE: "none",
}
PREVIEW_CHARS = 80


def type_spec(literal_type: types_pb2.LiteralType) -> TypeSpec:
    match literal_type.WhichOneof("type"):
        case "simple" if literal_type.simple in _SIMPLE:
            return TypeSpec(_SIMPLE[literal_type.simple])
        case "simple" if literal_type.simple == types_pb2.SimpleType.STRUCT:
            title = literal_type.metadata.fields.get("title")
            return TypeSpec("struct", detail=title.string_value if title else "")
        case "enum_type":
            return TypeSpec("enum", enum_values=tuple(literal_type.enum_type.values))
        case "collection_type":
            return TypeSpec("list", children=(type_spec(literal_type.collection_type),))
        case "map_value_type":
            return TypeSpec("dict", children=(type_spec(literal_type.map_value_type),))
        case "blob":
            multipart = literal_type.blob.dimensionality == types_pb2.BlobType.MULTIPART
            return TypeSpec(
                "directory" if multipart else "file",
                blob_format=literal_type.blob.format,
            )
        case "structured_dataset_type":
            return TypeSpec("dataframe", blob_format=literal_type.structured_dataset_type.format)
        case "union_type":
            variants = tuple(type_spec(variant) for variant in literal_type.union_type.variants)
            present = tuple(variant for variant in variants if variant.kind != "none")
            if len(present) == 1 and len(variants) == 2:
                return TypeSpec("optional", children=present)
            return TypeSpec("union", children=variants)
        case other:
            return TypeSpec("unsupported", detail=other or "empty type")


def interface_spec(
    interface: interface_pb2.TypedInterface, defaults: interface_pb2.ParameterMap | None = None
) -> InterfaceSpec:
    parameters = defaults.parameters if defaults is not None else {}
    inputs = []
    for name in sorted(interface.inputs.variables):
        variable = interface.inputs.variables[name]
        parameter = parameters.get(name)
        has_default = parameter is not None and parameter.HasField("default")
        inputs.append(
            ParameterSpec(
                name=name,
                type=type_spec(variable.type),
                description=_description(name, variable.description),
                required=not has_default,
                default_preview=literal_preview(parameter.default) if has_default and parameter else None,
            )
        )
    outputs = [
        ParameterSpec(name, type_spec(variable.type), _description(name, variable.description))
        for name in sorted(interface.outputs.variables)
        for variable in [interface.outputs.variables[name]]
    ]
    return InterfaceSpec(tuple(inputs), tuple(outputs))


def literal_preview(literal: literals_pb2.Literal) -> str:
    """A short human reading of a default value."""
    if literal.HasField("scalar") and literal.scalar.HasField("primitive"):
        primitive = literal.scalar.primitive
        value = MessageToDict(primitive, preserving_proto_field_name=True)
        text = json.dumps(next(iter(value.values()), None)) if value else "null"
    elif literal.HasField("scalar") and literal.scalar.HasField("none_type"):
        text = "None"
    elif literal.HasField("scalar") and literal.scalar.HasField("blob"):
        text = literal.scalar.blob.uri
    elif literal.HasField("scalar") and literal.scalar.binary.tag == "msgpack":
        # flytekit encodes dataclass and pydantic defaults as msgpack.
        text = json.dumps(msgpack.unpackb(literal.scalar.binary.value), sort_keys=False, default=str)
    else:
        text = json.dumps(MessageToDict(literal), sort_keys=True)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _description(name: str, description: str) -> str:
    """flytekit stores an undocumented parameter's own name as its description."""
    return "" if description == name else description
