"""Submission → typed values, or every field error. Never raises on user input.

The checks come from the same `Form` that sets the browser's HTML5 attributes: a pydantic
model is built from it (cached by the caller per registered version), so the browser
and the server cannot drift apart. The file store is reached through the validation
context, so a model can be built without one.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    JsonValue,
    Tag,
    ValidationError,
    ValidationInfo,
    create_model,
)
from pydantic import Field as PydanticField
from pydantic.json_schema import PydanticJsonSchemaWarning

from ui_gen.form import Field, Form
from ui_gen.layout import branch_keys, choices, inactive, layout_json
from ui_gen.rules import FileCatalog, file_failure, rule_failure
from ui_gen.schema import Chosen
from ui_gen.submission import REQUIRED

_UNSET: Any = object()
_INT64 = PydanticField(ge=-(2**63), le=2**63 - 1)
"""An integer literal is 64 bits: anything wider is the submitter's error, not ours."""


@dataclass(frozen=True)
class Outcome:
    values: dict[str, Any]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors


class FormValidator:
    """One per form: the pydantic model, and how its error locations map to field names."""

    def __init__(self, form: Form) -> None:
        self.form = form
        # A field inside a fork's branch is required only when its branch is chosen: the
        # model lets it be missing, and `validate` asks for it when its branch is shown.
        self.in_branches = branch_keys(form.layout)
        self.forks = [choice.key for choice in choices(form.layout)]
        self.model = _model(
            "Inputs",
            {f.key: f for f in form.fields},
            top_level=True,
            optional=self.in_branches,
        )

    def json_schema(self) -> dict[str, Any]:
        """A JSON Schema of the inputs, with `x-widget` per field and `x-sections` for layout,
        so other clients can build their own forms. Unions take `{"branch": i, "value": v}`."""
        with warnings.catch_warnings():
            # Top-level defaults are a sentinel (filled in after validation); the real ones
            # are put in by `_model` as plain JSON.
            warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
            schema = self.model.model_json_schema()
        schema["title"] = self.form.title
        schema["x-sections"] = [
            {"title": section.title, "advanced": section.advanced, "fields": [f.key for f in section.fields]}
            for section in self.form.sections
        ]
        if self.form.layout:
            schema["x-layout"] = layout_json(self.form.layout)
        return schema

    def validate(self, data: Mapping[str, Any], catalog: FileCatalog) -> Outcome:
        # A fork left at its default chooses the default's branch.
        chosen = {key: self.form.field(key).default for key in self.forks} | dict(data)
        hidden = inactive(self.form.layout, chosen)
        shown = {key: value for key, value in data.items() if key not in hidden}
        errors: dict[str, str] = {}
        for item in self.form.fields:
            if item.key in hidden:
                if item.required and chosen.get(hidden[item.key]):
                    errors.setdefault(
                        hidden[item.key],
                        f"{item.label} has no default, so the workflow needs it even in a branch not chosen",
                    )
            elif item.key in self.in_branches and item.required and item.key not in shown:
                errors[item.key] = REQUIRED
        try:
            validated = self.model.model_validate(shown, context={"catalog": catalog})
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                errors.setdefault(_field_name(self.form, detail["loc"], data), _message(detail))
        if errors:
            return Outcome({}, errors)
        values = {}
        for item in self.form.fields:
            value = getattr(validated, item.key)
            values[item.key] = item.default if value is _UNSET else _plain(value, item)
        return Outcome(values, {})


def _model(
    name: str, fields: Mapping[str, Field], *, top_level: bool = False, optional: set[str] | None = None
) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for key, item in fields.items():
        annotation = _annotation(item, f"{name}_{key}")
        extra: dict[str, JsonValue] = {"x-widget": item.widget, "title": item.label}
        if item.help:
            extra["description"] = item.help
        if not item.required:
            extra["default"] = _jsonable(item.default)
        if item.required and key in (optional or ()):
            definitions[key] = (annotation, PydanticField(default=_UNSET, json_schema_extra=extra))
        elif item.required:
            definitions[key] = (annotation, PydanticField(json_schema_extra=extra))
        elif top_level:
            definitions[key] = (annotation, PydanticField(default=_UNSET, json_schema_extra=extra))
        else:
            definitions[key] = (annotation, PydanticField(default=item.default, json_schema_extra=extra))
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, hide_input_in_errors=True)
    return create_model(name, __config__=config, **definitions)


def _annotation(item: Field, name: str) -> Any:
    minimum = float(item.attrs["min"]) if "min" in item.attrs else None
    maximum = float(item.attrs["max"]) if "max" in item.attrs else None
    bounds = PydanticField(ge=minimum, le=maximum)
    match item.widget:
        case "number" if item.type.kind == "int":
            return Annotated[int, BeforeValidator(_integral), BeforeValidator(_number_text), bounds, _INT64]
        case "number":
            return Annotated[float, BeforeValidator(_number_text), PydanticField(allow_inf_nan=False), bounds]
        case "text" | "textarea":
            return Annotated[str, AfterValidator(_unicode), AfterValidator(_rules_check(item))]
        case "checkbox":
            return bool
        case "datetime":
            return Annotated[datetime, AfterValidator(_as_utc)]
        case "duration":
            return Annotated[timedelta, BeforeValidator(_seconds), AfterValidator(_not_negative)]
        case "select":
            return _one_of(item.type.enum_values)
        case "multiselect":
            return list[_one_of(item.type.child.enum_values)]  # type: ignore[misc]
        case "optional":
            return _annotation(item.children[0], name) | None
        case "union":
            return _union(item, name)
        case "list":
            return list[_annotation(item.children[0], name)]  # type: ignore[misc]
        case "dict":
            return dict[Annotated[str, AfterValidator(_unicode)], _annotation(item.children[1], name)]  # type: ignore[misc]
        case "group":
            return _model(name, {c.key: c for c in item.children})
        case "samplesheet":
            return list[_model(name, {c.key: c for c in item.children})]  # type: ignore[misc]
        case "file" | "directory":
            return Annotated[
                str, AfterValidator(_unicode), AfterValidator(_rules_check(item)), AfterValidator(_file_check(item))
            ]
    raise ValueError(f"no validator for widget {item.widget}")


def _unicode(value: str) -> str:
    """JSON can carry a lone surrogate ("\\ud800"); no literal (and no UTF-8) can hold one."""
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (it holds a lone surrogate)") from None
    return value


def _one_of(values: tuple[str, ...]) -> Any:
    return Literal[values]


def _union(item: Field, name: str) -> Any:
    """`{"branch": i, "value": v}`: the branch is chosen explicitly, never guessed."""
    branches = []
    for index in range(len(item.type.children)):
        chosen = next((c for c in item.children if c.key == f"b{index}"), None)
        value: Any = (_annotation(chosen, f"{name}_b{index}"), ...) if chosen else (None, None)
        model = create_model(
            f"{name}_b{index}",
            __config__=ConfigDict(extra="forbid", hide_input_in_errors=True),
            branch=(int, ...),
            value=value,
        )
        branches.append(Annotated[model, Tag(str(index))])
    return Annotated[Union[tuple(branches)], Discriminator(_branch_tag)]  # noqa: UP007


def _branch_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value.get("branch"))
    return str(getattr(value, "branch", None))


def _jsonable(value: Any) -> JsonValue:
    """A default in ui_gen's plain shape, as the JSON the API would accept for it."""
    match value:
        case Chosen():
            return {"branch": value.branch, "value": _jsonable(value.value)}
        case datetime():
            return value.isoformat()
        case timedelta():
            return value.total_seconds()
        case dict():
            return {str(key): _jsonable(item) for key, item in value.items()}
        case list() | tuple():
            return [_jsonable(item) for item in value]
    return value  # type: ignore[no-any-return]


# HTML's "valid floating-point number": `1.` is not one, `.5` is.
_NUMBER = re.compile(r"-?([0-9]+(\.[0-9]+)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


def _number_text(value: Any) -> Any:
    """Numbers typed as text follow HTML's grammar for numbers, as the browser's fields do:
    `1.` is refused on both sides rather than read differently."""
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not a number (write it like 12, -3.5 or 1e6)")
    return value


def _integral(value: Any) -> Any:
    """The browser accepts `12.0` in an integer field; so does the server. `1.5` is refused."""
    if isinstance(value, str):
        number = float(value)
        if not number.is_integer():
            raise ValueError(f"{value} is not a whole number")
        if abs(number) < 2**63:
            return int(number)
    return value


def _seconds(value: Any) -> Any:
    """Durations are entered in seconds; ISO 8601 (`PT1H30M`) is accepted too."""
    if isinstance(value, str):
        try:
            return timedelta(seconds=float(value))
        except (ValueError, OverflowError):
            return value
    return value


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("a duration cannot be negative")
    return value


def _rules_check(item: Field) -> Any:
    def check(value: str) -> str:
        failure = rule_failure(item.rules, value)
        if failure:
            raise ValueError(failure)
        return value

    return check


def _file_check(item: Field) -> Any:
    def check(value: str, info: ValidationInfo) -> str:
        if item.output and value.strip():
            return value  # written by the workflow: it need not exist yet
        catalog = (info.context or {}).get("catalog")
        if catalog is None:
            raise ValueError("no file store to look the file up in")
        found = catalog.lookup(value)
        failure = file_failure(found, value, directory=item.widget == "directory", blob_format=item.type.blob_format)
        if failure or found is None:
            raise ValueError(failure)
        return found.uri  # what the person wrote may be a path in their project: the task gets the URI

    return check


def _plain(value: Any, item: Field) -> Any:
    """A validated value in ui_gen's plain shape (structs as dicts, unions as Chosen)."""
    if value is None or isinstance(value, Chosen):
        return value
    match item.widget:
        case "optional":
            return _plain(value, item.children[0])
        case "union":
            chosen = next((c for c in item.children if c.key == f"b{value.branch}"), None)
            return Chosen(value.branch, _plain(value.value, chosen) if chosen else None)
        case "group":
            return _struct(value, item.children)
        case "samplesheet":
            return [_struct(row, item.children) for row in value]
        case "list":
            return [_plain(element, item.children[0]) for element in value]
        case "dict":
            return {key: _plain(element, item.children[1]) for key, element in value.items()}
    return value


def _struct(value: Any, members: tuple[Field, ...]) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return {member.key: _plain(getattr(value, member.key), member) for member in members}


def _field_name(form: Form, loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    """Map a pydantic error location onto the flat form name of the field it concerns."""
    if not loc:
        return ""
    fields = {f.key: f for f in form.fields}
    item = fields.get(str(loc[0]))
    parts = [str(loc[0])]
    current: Any = data.get(str(loc[0])) if isinstance(data, Mapping) else None
    rest = list(loc[1:])
    while item is not None and rest:
        match item.widget:
            case "optional":
                item = item.children[0]
                parts.append("value")
                continue
            case "union":
                tag: str = str(rest.pop(0))
                item = next((c for c in item.children if c.key == f"b{tag}"), None)
                parts.append(f"b{tag}")
                if rest and rest[0] == "value":
                    rest.pop(0)
                current = current.get("value") if isinstance(current, dict) else None
                continue
            case "list" | "multiselect":
                index = rest.pop(0)
                parts.append(str(index))
                item = item.children[0] if item.children else None
                current = current[index] if isinstance(current, list) and isinstance(index, int) else None
            case "samplesheet":
                parts.append(str(rest.pop(0)))
                if rest:
                    key = str(rest.pop(0))
                    item = next((c for c in item.children if c.key == key), None)
                    parts.append(key)
                current = None
            case "dict":
                entry = rest.pop(0)
                row = list(current).index(entry) if isinstance(current, dict) and entry in current else 0
                if rest and rest[0] == "[key]":
                    rest.pop(0)
                    return ".".join([*parts, str(row), "key"])
                parts.extend([str(row), "value"])
                item = item.children[1]
                current = current.get(entry) if isinstance(current, dict) else None
            case "group":
                key = str(rest.pop(0))
                item = next((c for c in item.children if c.key == key), None)
                parts.append(key)
                current = current.get(key) if isinstance(current, dict) else None
            case _:
                rest.pop(0)
    if item is not None and item.widget == "optional":
        parts.append("value")
    return ".".join(parts)


def _message(item: Mapping[str, Any]) -> str:
    if item["type"] == "missing" or (item["type"].endswith("_type") and item.get("input", "") is None):
        return REQUIRED
    match item["type"]:
        case "extra_forbidden":
            return "This field is not part of the workflow's inputs."
        case "value_error":
            return str(item["ctx"]["error"]) if "ctx" in item else str(item["msg"])
    return str(item["msg"])
