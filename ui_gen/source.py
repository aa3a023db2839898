"""What only the workflow's source knows: the signature order, the raw docstring's
`Args:` names, and the declaration order of dataclass / pydantic fields.

Protobuf maps keep no order, so none of this survives `pyflyte register`'s protos. The
source is parsed, never imported: registering a workflow must not run its code.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import docstring_parser

from ui_gen.metadata import split_metadata


@dataclass(frozen=True)
class SourceHints:
    parameter_order: tuple[str, ...] = ()
    documented_metadata: tuple[str, ...] = ()
    """Names under the docstring's `Args:` that carry a `__metadata__:` block."""
    class_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "parameter_order": list(self.parameter_order),
            "documented_metadata": list(self.documented_metadata),
            "class_fields": {name: list(fields) for name, fields in self.class_fields.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceHints:
        """The inverse of `to_json`; the JSON is our own, written at registration."""
        return cls(
            parameter_order=tuple(data.get("parameter_order", ())),
            documented_metadata=tuple(data.get("documented_metadata", ())),
            class_fields={str(name): tuple(fields) for name, fields in data.get("class_fields", {}).items()},
        )


def source_hints(sources: Mapping[str, str], module: str, function: str) -> SourceHints | None:
    """Hints for `module.function`, from `sources` (import name → Python source text).

    None when the module or the function is not among the sources (e.g. registered
    with `--copy none`): callers fall back to name order.
    """
    module = _package_module(module)
    text = sources.get(module)
    if text is None:
        return None
    tree = ast.parse(text)
    definition = next(
        (node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == function),
        None,
    )
    if definition is None:
        return None
    arguments = definition.args
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    return SourceHints(
        parameter_order=tuple(names),
        documented_metadata=_documented_metadata(ast.get_docstring(definition) or ""),
        class_fields=_class_fields(sources, module),
    )


def _package_module(module: str) -> str:
    """flytekit names a workflow in `wf/__init__.py` `wf.__init__.<name>`; sources are
    keyed by import name, `wf` (a top-level `__init__.py` is the empty name)."""
    parts = module.split(".")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _documented_metadata(docstring: str) -> tuple[str, ...]:
    parsed = docstring_parser.parse(docstring)
    return tuple(
        p.arg_name
        for p in parsed.params
        if p.description and split_metadata(p.description, f"parameter {p.arg_name!r}: its __metadata__")[1]
    )


def _class_fields(sources: Mapping[str, str], module: str) -> dict[str, tuple[str, ...]]:
    """Annotated class attributes in order, by class name; the workflow's module wins a clash."""
    found: dict[str, tuple[str, ...]] = {}
    for name in sorted(sources, key=lambda candidate: candidate == module):
        try:
            tree = ast.parse(sources[name])
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                fields = tuple(
                    item.target.id
                    for item in node.body
                    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                )
                if fields:
                    found[node.name] = fields
    return found
