"""A neutral description of a workflow's parameters, independent of flyteidl and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TypeSpec:
    """`kind` is one of: int, float, str, bool, datetime, duration, none, enum, optional,
    union, list, dict, struct, file, directory, dataframe, unsupported."""

    kind: str
    children: tuple[TypeSpec, ...] = ()
    enum_values: tuple[str, ...] = ()
    blob_format: str = ""
    detail: str = ""

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
                return self.detail or "record"
            case "unsupported":
                return f"unsupported ({self.detail})"
            case _:
                return self.kind


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    type: TypeSpec
    description: str = ""
    required: bool = True
    default_preview: str | None = None


@dataclass(frozen=True)
class InterfaceSpec:
    inputs: tuple[ParameterSpec, ...] = field(default_factory=tuple)
    outputs: tuple[ParameterSpec, ...] = field(default_factory=tuple)
