"""InterfaceSpec → a form: sections of fields, each with its widget, HTML5 attributes and
rules. Fields carry a `key`, not a full name: names are paths (`outer.inner.depth`,
`samples.0.fastq`) made while rendering, so one form serves every set of row counts.

`build_form` is pure and cheap to cache per registered version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ui_gen.errors import FormSpecError
from ui_gen.layout import Block, Choice, build_layout, choices
from ui_gen.metadata import Rule
from ui_gen.schema import FieldSpec, InterfaceSpec, ParameterSpec, TypeSpec
from ui_gen.widgets import widget_for

ADVANCED = "Advanced"
INDEX = "__index__"
"""The row-number placeholder in a list's template row; the browser script replaces it."""


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    widget: str
    type: TypeSpec
    required: bool = True
    help: str = ""
    placeholder: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    children: tuple[Field, ...] = ()
    default: Any = None
    """Used when the field is not required and left empty (values in ui_gen's plain shape)."""
    output: bool = False
    """A file or directory the workflow writes to (Latch's `output: true`): it need not exist yet."""

    @property
    def options(self) -> tuple[str, ...]:
        kind = self.type.child if self.widget == "multiselect" else self.type
        return kind.enum_values


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[Field, ...]
    advanced: bool = False


@dataclass(frozen=True)
class Form:
    title: str
    sections: tuple[Section, ...]
    layout: tuple[Block, ...] = ()
    """Latch's `flow:` as blocks, when the workflow has one; else the sections lay it out."""

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for section in self.sections for f in section.fields)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)


def build_form(interface: InterfaceSpec, *, title: str) -> Form:
    """Raises FormSpecError naming the first parameter that cannot be rendered."""
    sections: list[tuple[str, list[Field]]] = [("", [])]
    advanced: list[Field] = []
    for parameter in interface.inputs:
        built = _parameter_field(parameter)
        if parameter.metadata.hidden:
            advanced.append(built)
            continue
        if parameter.metadata.section_title:
            sections.append((parameter.metadata.section_title, []))
        sections[-1][1].append(built)
    shown = [Section(name, tuple(items)) for name, items in sections if items]
    if advanced:
        shown.append(Section(ADVANCED, tuple(advanced), advanced=True))
    form = Form(interface.metadata.display_name or title, tuple(shown))
    return _laid_out(form, interface) if interface.metadata.flow else form


def _laid_out(form: Form, interface: InterfaceSpec) -> Form:
    """The form in Latch's `flow:` order; a fork's parameter becomes the choice of a branch."""
    keys = [p.name for p in interface.inputs]
    required = {p.name for p in interface.inputs if p.required}
    layout = build_layout(interface.metadata.flow, keys, required=required)
    forks = {choice.key: choice for choice in choices(layout)}
    for key, choice in forks.items():
        item = next(f for f in form.fields if f.key == key)
        if item.type.kind not in ("str", "enum"):
            raise FormSpecError(f"parameter {key!r} holds a fork's choice, so it must be a str, not {item.type.label}")
        values = tuple(branch.value for branch in choice.branches)
        if item.type.kind == "enum" and not set(values) <= set(item.type.enum_values):
            raise FormSpecError(f"fork {key!r} has branches {values} that its Enum does not all allow")
    sections = tuple(
        Section(
            section.title,
            tuple(_fork_field(f, forks[f.key]) if f.key in forks else f for f in section.fields),
            section.advanced,
        )
        for section in form.sections
    )
    return Form(form.title, sections, layout)


def _fork_field(item: Field, choice: Choice) -> Field:
    """A fork's parameter accepts only its branches' keys (still a str to the workflow)."""
    values = tuple(branch.value for branch in choice.branches)
    kind = TypeSpec("enum", enum_values=values)
    return Field(item.key, choice.label or item.label, "select", kind, item.required, item.help, "",
                 _attrs(kind, "select", item.required, None, None), (), (), item.default)  # fmt: skip


def _parameter_field(parameter: ParameterSpec) -> Field:
    meta = parameter.metadata
    where = f"parameter {parameter.name!r}"
    return _field(
        key=parameter.name,
        label=parameter.label,
        kind=parameter.type,
        required=parameter.required,
        where=where,
        help=" ".join(part for part in (meta.comment or parameter.description, meta.detail) if part),
        placeholder=meta.placeholder,
        rules=meta.rules,
        appearance=_appearance(parameter),
        minimum=None,
        maximum=None,
        default=parameter.default,
        output=meta.output,
    )


def _appearance(parameter: ParameterSpec) -> str:
    """Latch's `appearance: {multiselect: ...}` picks several of a list of Enum values."""
    meta = parameter.metadata
    if meta.multiselect and widget_for(parameter.type, "multiselect") == "multiselect":
        return "multiselect"
    return meta.appearance


def _member_field(member: FieldSpec, where: str) -> Field:
    return _field(
        key=member.name,
        label=member.name.replace("_", " "),
        kind=member.type,
        required=member.required,
        where=f"{where}, field {member.name!r}",
        minimum=member.minimum,
        maximum=member.maximum,
        default=member.default,
    )


def _field(
    *,
    key: str,
    label: str,
    kind: TypeSpec,
    required: bool,
    where: str,
    help: str = "",
    placeholder: str = "",
    rules: tuple[Rule, ...] = (),
    appearance: str = "line",
    minimum: float | None,
    maximum: float | None,
    default: Any = None,
    output: bool = False,
) -> Field:
    widget = widget_for(kind, appearance)
    if widget is None:
        raise FormSpecError(f"{where} has type {kind.label}, which latchlike cannot show as a form field")
    if rules and kind.kind not in ("str", "file", "directory"):
        raise FormSpecError(f"{where}: regex rules apply to text, files and directories, not to {kind.label}")
    if appearance == "multiselect" and widget != "multiselect":
        raise FormSpecError(f"{where}: appearance multiselect needs a list of an Enum, not {kind.label}")
    children = _children(kind, widget, where)
    attrs = _attrs(kind, widget, required, minimum, maximum)
    return Field(key, label, widget, kind, required, help, placeholder, attrs, tuple(rules), children, default, output)


def _children(kind: TypeSpec, widget: str, where: str) -> tuple[Field, ...]:
    match widget:
        case "group":
            return tuple(_member_field(member, where) for member in kind.fields)
        case "samplesheet":
            return tuple(_member_field(member, where) for member in kind.child.fields)
        case "optional":
            return (_nested("value", kind.child, where, required=True),)
        case "union":
            return tuple(
                _nested(f"b{index}", branch, f"{where}, branch {branch.label}", required=True)
                for index, branch in enumerate(kind.children)
                if branch.kind != "none"
            )
        case "list":
            return (_nested(INDEX, kind.child, f"{where}, list item", required=True),)
        case "dict":
            return (
                _nested("key", TypeSpec("str"), f"{where}, key", required=True),
                _nested("value", kind.child, f"{where}, value", required=True),
            )
    return ()


def _nested(key: str, kind: TypeSpec, where: str, *, required: bool) -> Field:
    return _field(key=key, label=kind.label, kind=kind, required=required, where=where, minimum=None, maximum=None)


def _attrs(kind: TypeSpec, widget: str, required: bool, minimum: float | None, maximum: float | None) -> dict[str, str]:
    """The HTML5 constraint attributes; the same bounds feed the server's validator."""
    attrs: dict[str, str] = {}
    if required and widget in ("number", "text", "textarea", "datetime", "duration", "select"):
        attrs["required"] = ""
    if widget == "number":
        attrs["step"] = "1" if kind.kind == "int" else "any"
    if widget == "duration":
        attrs["step"] = "any"
        attrs["min"] = "0"
    if widget == "datetime":
        attrs["step"] = "1"
    if minimum is not None:
        attrs["min"] = _number(minimum)
    if maximum is not None:
        attrs["max"] = _number(maximum)
    return attrs


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
