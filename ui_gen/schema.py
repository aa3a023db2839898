"""A neutral description of a workflow's parameters, independent of flyteidl and HTML.

Values travel through ui_gen in one plain shape: int, float, str, bool, an aware
`datetime`, a `timedelta`, an enum's value as `str`, `None` for an unset Optional,
`Chosen` for a Union, lists, dicts, a struct as a dict in field order, and a file or
directory as its URI string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ui_gen.metadata import ParameterMetadata, WorkflowMetadata


@dataclass(frozen=True)
class Chosen:
    """A Union value: which branch (by position) and the value in that branch's shape."""

    branch: int
    value: Any


@dataclass(frozen=True)
class FieldSpec:
    """One member of a struct (dataclass or pydantic model)."""

    name: str
    type: TypeSpec
    required: bool
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class TypeSpec:
    """`kind` is int, float, str, bool, datetime, duration, none, enum, optional, union,
    list, dict, struct, file, directory or unsupported; `children` are the element, value or branch types;
    `fields` the members of a struct, in declaration order when it is known."""

    kind: str
    children: tuple[TypeSpec, ...] = ()
    enum_values: tuple[str, ...] = ()
    blob_format: str = ""
    title: str = ""
    fields: tuple[FieldSpec, ...] = ()
    detail: str = ""

    @property
    def child(self) -> TypeSpec:
        return self.children[0]

    @property
    def is_samplesheet(self) -> bool:
        """A list of flat records: shown as an editable table with CSV import."""
        return (
            self.kind == "list"
            and self.child.kind == "struct"
            and all(f.type.kind in _CELL_KINDS for f in self.child.fields)
        )

    @property
    def label(self) -> str:
        """How a biologist reads the type: `list[int]`, `Optional[File (fastq)]`."""
        inner = ", ".join(child.label for child in self.children)
        match self.kind:
            case "enum":
                return f"one of {', '.join(self.enum_values)}"
            case "optional":
                return f"Optional[{inner}]"
            case "union":
                return f"Union[{inner}]"
            case "list":
                return f"list[{inner}]"
            case "dict":
                return f"dict[str, {inner}]"
            case "file" | "directory":
                name = "File" if self.kind == "file" else "Directory"
                return f"{name} ({self.blob_format})" if self.blob_format else name
            case "struct":
                return self.title or "record"
            case "unsupported":
                return f"unsupported ({self.detail})"
            case _:
                return self.kind


_CELL_KINDS = frozenset({"int", "float", "str", "bool", "enum", "file", "directory", "datetime", "duration"})


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    type: TypeSpec
    description: str = ""
    required: bool = True
    default: Any = None
    default_preview: str | None = None
    metadata: ParameterMetadata = field(default_factory=ParameterMetadata)

    @property
    def label(self) -> str:
        return self.metadata.display_name or self.name


@dataclass(frozen=True)
class InterfaceSpec:
    inputs: tuple[ParameterSpec, ...] = ()
    outputs: tuple[ParameterSpec, ...] = ()
    metadata: WorkflowMetadata = field(default_factory=WorkflowMetadata)
    description: str = ""


def member_defaults(kind: TypeSpec) -> dict[str, Any]:
    """The defaults a record's members declare, nested records included."""
    values: dict[str, Any] = {}
    for member in kind.fields:
        if not member.required:
            values[member.name] = member.default
        elif member.type.kind == "struct":
            values[member.name] = member_defaults(member.type)
    return values
