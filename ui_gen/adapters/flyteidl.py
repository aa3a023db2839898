"""flyteidl TypedInterface (+ a launch plan's defaults, + source hints) → `InterfaceSpec`.

Signature and field order come from `SourceHints` when the source was available; without
it (`--copy none`), parameters are listed by name. Descriptions are flytekit's per-
parameter docstring text with any `__metadata__:` block split off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flyteidl.core import interface_pb2, types_pb2
from google.protobuf.json_format import MessageToDict

from ui_gen.adapters.literals import literal_to_value
from ui_gen.adapters.previews import literal_preview
from ui_gen.errors import FormSpecError
from ui_gen.flow import named_parameters
from ui_gen.metadata import ParameterMetadata, WorkflowMetadata, parameter_metadata, workflow_metadata
from ui_gen.schema import FieldSpec, InterfaceSpec, ParameterSpec, TypeSpec
from ui_gen.source import SourceHints

_SIMPLE = {
    types_pb2.SimpleType.INTEGER: "int",
    types_pb2.SimpleType.FLOAT: "float",
    types_pb2.SimpleType.STRING: "str",
    types_pb2.SimpleType.BOOLEAN: "bool",
    types_pb2.SimpleType.DATETIME: "datetime",
    types_pb2.SimpleType.DURATION: "duration",
    types_pb2.SimpleType.NONE: "none",
}
_JSON_SCALARS = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}
_BLOB_TITLES = {"FlyteFile": "file", "FlyteDirectory": "directory"}


def type_spec(literal_type: types_pb2.LiteralType, hints: SourceHints | None = None) -> TypeSpec:
    return _TypeReader(hints or SourceHints()).literal(literal_type)


def interface_spec(
    interface: interface_pb2.TypedInterface,
    defaults: interface_pb2.ParameterMap | None = None,
    *,
    long_description: str = "",
    hints: SourceHints | None = None,
) -> InterfaceSpec:
    """Raises FormSpecError for metadata that does not fit the signature."""
    reader = _TypeReader(hints or SourceHints())
    description, workflow_meta = workflow_metadata(long_description)
    parameters = defaults.parameters if defaults is not None else {}
    names = _ordered(interface.inputs.variables, hints.parameter_order if hints else ())
    _check_metadata_names(names, workflow_meta, hints)
    inputs = []
    for name in names:
        variable = interface.inputs.variables[name]
        text, meta = parameter_metadata(name, _description(name, variable.description))
        meta = _merge(workflow_meta.parameters.get(name), meta)
        kind = reader.literal(variable.type)
        parameter = parameters.get(name)
        has_default = parameter is not None and parameter.HasField("default")
        inputs.append(
            ParameterSpec(
                name=name,
                type=kind,
                description=text or meta.description,
                required=not has_default and kind.kind != "optional",
                default=literal_to_value(parameter.default, kind) if has_default and parameter else None,
                default_preview=literal_preview(parameter.default) if has_default and parameter else None,
                metadata=meta,
            )
        )
    outputs = [
        ParameterSpec(name, reader.literal(variable.type), _description(name, variable.description), required=False)
        for name in sorted(interface.outputs.variables)
        for variable in [interface.outputs.variables[name]]
    ]
    return InterfaceSpec(tuple(inputs), tuple(outputs), workflow_meta, description)


def _ordered(names: Mapping[str, Any], order: tuple[str, ...]) -> list[str]:
    known = [name for name in order if name in names]
    return known + sorted(name for name in names if name not in known)


def _check_metadata_names(names: list[str], workflow_meta: WorkflowMetadata, hints: SourceHints | None) -> None:
    documented = hints.documented_metadata if hints else ()
    stray = sorted({*workflow_meta.parameters, *named_parameters(workflow_meta.flow), *documented} - set(names))
    if stray:
        raise FormSpecError(
            f"__metadata__ names parameter(s) {', '.join(map(repr, stray))} that the workflow's signature does not"
            f" have (its parameters: {', '.join(names) or 'none'})"
        )


def _merge(from_workflow: ParameterMetadata | None, from_args: ParameterMetadata) -> ParameterMetadata:
    if from_workflow is None:
        return from_args
    return from_workflow.model_copy(update=from_args.model_dump(exclude_defaults=True))


def _description(name: str, description: str) -> str:
    """flytekit stores an undocumented parameter's own name as its description."""
    return "" if description == name else description


class _TypeReader:
    """Turns LiteralTypes, and the JSON schemas flytekit attaches to structs, into TypeSpecs."""

    def __init__(self, hints: SourceHints) -> None:
        self._hints = hints

    def literal(self, literal_type: types_pb2.LiteralType) -> TypeSpec:
        match literal_type.WhichOneof("type"):
            case "simple" if literal_type.simple in _SIMPLE:
                return TypeSpec(_SIMPLE[literal_type.simple])
            case "simple" if literal_type.simple == types_pb2.SimpleType.STRUCT:
                schema = MessageToDict(literal_type.metadata) if literal_type.HasField("metadata") else {}
                if not schema.get("properties"):
                    return TypeSpec("unsupported", detail="a struct without a JSON schema (untyped dict?)")
                precise = literal_type.structure.dataclass_type
                return self._struct(schema, schema, {name: self.literal(t) for name, t in precise.items()})
            case "enum_type":
                return TypeSpec("enum", enum_values=tuple(literal_type.enum_type.values))
            case "collection_type":
                return TypeSpec("list", children=(self.literal(literal_type.collection_type),))
            case "map_value_type":
                return TypeSpec("dict", children=(self.literal(literal_type.map_value_type),))
            case "blob":
                multipart = literal_type.blob.dimensionality == types_pb2.BlobType.MULTIPART
                if literal_type.blob.format == "PythonPickle":
                    return TypeSpec("unsupported", detail="a pickled Python object (typing.Any or an untyped class)")
                return TypeSpec("directory" if multipart else "file", blob_format=literal_type.blob.format)
            case "union_type":
                variants = tuple(self.literal(variant) for variant in literal_type.union_type.variants)
                present = tuple(variant for variant in variants if variant.kind != "none")
                if len(present) == 1 and len(variants) == 2:
                    return TypeSpec("optional", children=present)
                return TypeSpec("union", children=variants)
            case "structured_dataset_type":
                return TypeSpec("unsupported", detail="a structured dataset (data frame)")
            case other:
                return TypeSpec("unsupported", detail=other or "empty type")

    def _json(self, schema: dict[str, Any], root: dict[str, Any]) -> TypeSpec:
        schema = _resolve(schema, root)
        if "enum" in schema:
            return TypeSpec("enum", enum_values=tuple(str(value) for value in schema["enum"]))
        if "anyOf" in schema:
            variants = tuple(self._json(option, root) for option in schema["anyOf"])
            present = tuple(variant for variant in variants if variant.kind != "none")
            if len(present) == 1 and len(variants) == 2:
                return TypeSpec("optional", children=present)
            return TypeSpec("union", children=variants)
        kind = schema.get("type")
        if kind == "null":
            return TypeSpec("none")
        if kind == "string" and schema.get("format") == "date-time":
            return TypeSpec("datetime")
        if kind in _JSON_SCALARS:
            return TypeSpec(_JSON_SCALARS[kind])
        if kind == "array" and isinstance(schema.get("items"), dict):
            return TypeSpec("list", children=(self._json(schema["items"], root),))
        if kind == "object" and schema.get("title") in _BLOB_TITLES:
            return TypeSpec(_BLOB_TITLES[schema["title"]])
        if kind == "object" and schema.get("properties"):
            return self._struct(schema, root, {})
        if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            return TypeSpec("dict", children=(self._json(schema["additionalProperties"], root),))
        return TypeSpec("unsupported", detail=f"JSON schema {schema.get('title') or kind or 'without a type'}")

    def _struct(self, schema: dict[str, Any], root: dict[str, Any], precise: dict[str, TypeSpec]) -> TypeSpec:
        title = str(schema.get("title", ""))
        properties: dict[str, Any] = schema["properties"]
        required = [str(name) for name in schema.get("required", [])]
        declared = self._hints.class_fields.get(title, ())
        order = [n for n in declared if n in properties] or [n for n in required if n in properties]
        order += sorted(n for n in properties if n not in order)
        fields = []
        for name in order:
            member = _resolve(properties[name], root)
            kind = precise.get(name) or self._json(member, root)
            has_default = "default" in member
            fields.append(
                FieldSpec(
                    name=name,
                    type=kind,
                    required=name in required and not has_default and kind.kind != "optional",
                    default=_json_default(member.get("default"), kind) if has_default else _implied_default(kind),
                    minimum=member.get("minimum", member.get("exclusiveMinimum")),
                    maximum=member.get("maximum", member.get("exclusiveMaximum")),
                )
            )
        return TypeSpec("struct", title=title, fields=tuple(fields))


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` (pydantic puts nested models under `$defs`) and single-item `allOf`."""
    while True:
        if "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            definitions = root.get("$defs") or root.get("definitions") or {}
            if name not in definitions:
                raise FormSpecError(f"JSON schema reference {schema['$ref']!r} points nowhere")
            schema = {**definitions[name], **{k: v for k, v in schema.items() if k != "$ref"}}
        elif isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            schema = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
        else:
            return schema


def _implied_default(kind: TypeSpec) -> Any:
    """What a `default_factory` (which JSON schema cannot express) most likely built."""
    match kind.kind:
        case "list":
            return []
        case "dict":
            return {}
        case "struct" if all(not member.required for member in kind.fields):
            return {member.name: member.default for member in kind.fields}
    return None


def _json_default(value: Any, kind: TypeSpec) -> Any:
    """Struct metadata stores every number as a double: give ints back their type."""
    if kind.kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value
