"""flyteidl TypedInterface (+ a launch plan's defaults) → `InterfaceSpec`.

Protobuf maps keep no order (upb iterates its hash table), so a registered interface
has lost the signature order. It is recovered from the docstring's parameter list, which
flytekit keeps verbatim; undocumented parameters follow in name order.
"""

from __future__ import annotations

import json

import docstring_parser
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
    interface: interface_pb2.TypedInterface,
    docstring: str = "",
    defaults: interface_pb2.ParameterMap | None = None,
) -> InterfaceSpec:
    order = documented_order(docstring)
    parameters = defaults.parameters if defaults is not None else {}
    inputs = []
    for name in _ordered(interface.inputs.variables, order):
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
        for name in _ordered(interface.outputs.variables, order)
        for variable in [interface.outputs.variables[name]]
    ]
    return InterfaceSpec(tuple(inputs), tuple(outputs))


def documented_order(docstring: str) -> list[str]:
    """Parameter names in the order the docstring lists them (Google, Sphinx or NumPy)."""
    if not docstring:
        return []
    return [param.arg_name for param in docstring_parser.parse(docstring).params]


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
    else:
        text = json.dumps(MessageToDict(literal), sort_keys=True)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _ordered(variables: object, order: list[str]) -> list[str]:
    names = set(variables)  # type: ignore[call-overload]
    documented = [name for name in order if name in names]
    return documented + sorted(names - set(documented))


def _description(name: str, description: str) -> str:
    """flytekit stores an undocumented parameter's own name as its description."""
    return "" if description == name else description
