"""Type kind → widget: the one explicit table. A kind missing here cannot be rendered, and
`form.build_form` says so naming the parameter, rather than showing a blank field."""

from __future__ import annotations

from ui_gen.schema import TypeSpec

WIDGETS = {
    "int": "number",
    "float": "number",
    "str": "text",
    "bool": "checkbox",
    "datetime": "datetime",
    "duration": "duration",
    "enum": "select",
    "optional": "optional",
    "union": "union",
    "list": "list",
    "dict": "dict",
    "struct": "group",
    "file": "file",
    "directory": "directory",
}


def widget_for(kind: TypeSpec, appearance: str = "line") -> str | None:
    """None when the kind has no widget. `appearance` is the parameter's metadata."""
    if kind.kind == "list" and kind.child.kind == "enum":
        return "multiselect"
    if kind.is_samplesheet:
        return "samplesheet"
    if kind.kind == "str" and appearance == "paragraph":
        return "textarea"
    return WIDGETS.get(kind.kind)
