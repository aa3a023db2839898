"""Between HTML form data and values.

A form posts flat names (`outer.inner.depth`, `samples.0.fastq`, `reads.uri`,
`note.__none__`, `choice.branch`). `unflatten` turns them into the nested input the
validator takes (the same shape the JSON API accepts); `flatten` turns values (defaults,
a previous execution's inputs) back into flat strings to prefill a form.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ui_gen.form import Field, Form
from ui_gen.schema import Chosen

FormData = Mapping[str, list[str]]
MISSING: Any = object()
NONE_SUFFIX = "__none__"
ROWS_MARKER = "__rows__"
"""Posted with every list: its rows are then the whole list, and none means an empty list."""
CSV_SUFFIX = "csv"
_TRUE = frozenset({"true", "on", "1", "yes"})
REQUIRED = "This field is required."


def unflatten(form: Form, data: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """(nested input, errors found while reading the form: e.g. an unreadable CSV)."""
    errors: dict[str, str] = {}
    values = {}
    for item in form.fields:
        value = _read(item, item.key, data, errors)
        if value is not MISSING:
            values[item.key] = value
    return values, errors


def flatten(form: Form, values: Mapping[str, Any]) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for item in form.fields:
        if item.key in values:
            _write(item, item.key, values[item.key], flat)
    return flat


def flatten_field(item: Field, name: str, value: Any) -> dict[str, list[str]]:
    """One field's value as flat strings under `name` (a list's default rows, say)."""
    flat: dict[str, list[str]] = {}
    if value is not None:
        _write(item, name, value, flat)
    return flat


def _first(data: FormData, name: str) -> str:
    found = data.get(name) or [""]
    return found[-1]


def _read(item: Field, name: str, data: FormData, errors: dict[str, str]) -> Any:
    match item.widget:
        case "checkbox":
            return _first(data, name).lower() in _TRUE
        case "multiselect":
            return _emptied(item, name, data, [value for value in data.get(name, []) if value])
        case "optional":
            if _first(data, f"{name}.{NONE_SUFFIX}").lower() in _TRUE:
                return None
            inner = _read(item.children[0], f"{name}.value", data, errors)
            return None if inner is MISSING else inner
        case "union":
            branch = _first(data, f"{name}.branch")
            if not branch:
                return MISSING
            chosen = next((c for c in item.children if c.key == f"b{branch}"), None)
            value = _read(chosen, f"{name}.{chosen.key}", data, errors) if chosen else None
            return {"branch": branch, "value": None if value is MISSING else value}
        case "group":
            members = {c.key: _read(c, f"{name}.{c.key}", data, errors) for c in item.children}
            present = {key: value for key, value in members.items() if value is not MISSING}
            return present or MISSING
        case "list" | "samplesheet":
            return _read_rows(item, name, data, errors)
        case "dict":
            return _read_mapping(item, name, data, errors)
        case "file" | "directory":
            return _first(data, name).strip() or MISSING
        case "text" | "textarea":
            # Browsers submit line breaks as CRLF (HTML's form encoding); the workflow gets "\n".
            value = _first(data, name).replace("\r\n", "\n")
            return value if value != "" else MISSING
        case _:
            return _first(data, name).strip() or MISSING


def row_indices(data: FormData, name: str) -> list[int]:
    """The row numbers present under `name.N…`, in order (a re-shown form keeps its rows)."""
    pattern = re.compile(re.escape(name) + r"\.(\d+)(?:\.|$)")
    return sorted({int(match.group(1)) for key in data if (match := pattern.match(key))})


def _read_rows(item: Field, name: str, data: FormData, errors: dict[str, str]) -> Any:
    if item.widget == "samplesheet" and _first(data, f"{name}.{CSV_SUFFIX}").strip():
        return _read_csv(item, name, _first(data, f"{name}.{CSV_SUFFIX}"), errors)
    rows: list[Any] = []
    for index in row_indices(data, name):
        # A row on the form is an item: a blank one is an error, as the browser's `required` says.
        if item.widget == "samplesheet":
            cells = {c.key: _read(c, f"{name}.{index}.{c.key}", data, errors) for c in item.children}
            rows.append({key: value for key, value in cells.items() if value is not MISSING})
        else:
            element = _read(item.children[0], f"{name}.{index}", data, errors)
            rows.append(None if element is MISSING else element)
    return _emptied(item, name, data, rows)


def _emptied(item: Field, name: str, data: FormData, found: Any) -> Any:
    """What you see is what you launch: a list the form showed and the person emptied is an
    empty list, not its default. A required list left empty stays missing (refused), as does
    a list the form did not show (no marker: a client that sent only some fields)."""
    if found:
        return found
    return type(found)() if f"{name}.{ROWS_MARKER}" in data and not item.required else MISSING


def _read_csv(item: Field, name: str, text: str, errors: dict[str, str]) -> Any:
    """A pasted samplesheet: a header row naming the columns (field names or labels)."""
    columns = {c.key.lower(): c.key for c in item.children} | {c.label.lower(): c.key for c in item.children}
    reader = csv.reader(io.StringIO(text.strip()), dialect=_dialect(text))
    titles = next(reader, [])
    header = [columns.get(cell.strip().lower()) for cell in titles]
    unknown = [cell for cell, key in zip(titles, header, strict=True) if key is None]
    if unknown or not header:
        expected = ", ".join(c.key for c in item.children)
        errors[f"{name}.{CSV_SUFFIX}"] = f"unknown column(s) {', '.join(unknown) or '(none)'}; expected: {expected}"
        return MISSING
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors[f"{name}.{CSV_SUFFIX}"] = f"line {line} has {len(cells)} cells; the header has {len(header)}"
            return MISSING
        rows.append({key: cell.strip() for key, cell in zip(header, cells, strict=True) if key and cell.strip()})
    return rows or MISSING


def _dialect(text: str) -> type[csv.Dialect]:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return csv.excel_tab if "\t" in first else csv.excel


def _read_mapping(item: Field, name: str, data: FormData, errors: dict[str, str]) -> Any:
    value_field = item.children[1]
    mapping: dict[str, Any] = {}
    for index in row_indices(data, name):
        key = _first(data, f"{name}.{index}.key")
        value = _read(value_field, f"{name}.{index}.value", data, errors)
        if not key:
            errors[f"{name}.{index}.key"] = REQUIRED
            continue
        if key in mapping:
            errors[f"{name}.{index}.key"] = f"key {key!r} appears twice"
        mapping[key] = None if value is MISSING else value
    return _emptied(item, name, data, mapping)


def _write(item: Field, name: str, value: Any, flat: dict[str, list[str]]) -> None:
    if value is None and item.widget != "optional":
        return
    match item.widget:
        case "checkbox":
            if value:
                flat[name] = ["true"]
        case "multiselect":
            flat[name] = [str(v) for v in value]
        case "optional":
            if value is None:
                flat[f"{name}.{NONE_SUFFIX}"] = ["true"]
            else:
                _write(item.children[0], f"{name}.value", value, flat)
        case "union":
            chosen_value = value if isinstance(value, Chosen) else Chosen(int(value["branch"]), value["value"])
            branch, inner = chosen_value.branch, chosen_value.value
            flat[f"{name}.branch"] = [str(branch)]
            chosen = next((c for c in item.children if c.key == f"b{branch}"), None)
            if chosen is not None:
                _write(chosen, f"{name}.{chosen.key}", inner, flat)
        case "group":
            for child in item.children:
                if child.key in value:
                    _write(child, f"{name}.{child.key}", value[child.key], flat)
        case "samplesheet":
            for index, row in enumerate(value):
                for child in item.children:
                    if child.key in row:
                        _write(child, f"{name}.{index}.{child.key}", row[child.key], flat)
        case "list":
            for index, element in enumerate(value):
                _write(item.children[0], f"{name}.{index}", element, flat)
        case "dict":
            for index, (key, element) in enumerate(value.items()):
                flat[f"{name}.{index}.key"] = [key]
                _write(item.children[1], f"{name}.{index}.value", element, flat)
        case "datetime":
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
            flat[name] = [moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")]
        case "duration":
            seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
            flat[name] = [f"{seconds:g}"]
        case "number" if isinstance(value, float):
            flat[name] = [repr(value)]
        case _:
            flat[name] = [str(value)]


def relabel_files(form: Form, flat: FormData, label: Callable[[str], str]) -> dict[str, list[str]]:
    """`flat` with every file or directory value written as `label` says: how a person
    names a stored file in the form (a path in their project), not where the store keeps it."""
    return {
        name: [label(value) for value in values] if _widget_at(form, name) in ("file", "directory") else list(values)
        for name, values in flat.items()
    }


def _widget_at(form: Form, name: str) -> str | None:
    """The widget of the field a flat name fills (`samples.0.fastq` → the sheet's column)."""
    first, *rest = name.split(".")
    item: Field | None = next((f for f in form.fields if f.key == first), None)
    for part in rest:
        if item is None:
            return None
        if part.isdigit():
            item = item.children[0] if item.widget == "list" and item.children else item
        elif item.widget == "dict" and part in ("key", "value") and len(item.children) == 2:
            item = item.children[0 if part == "key" else 1]
        elif item.widget == "optional" and part == "value" and item.children:
            item = item.children[0]
        else:
            item = next((c for c in item.children if c.key == part), None)
    return item.widget if item else None


def relabel_defaults(form: Form, label: Callable[[str], str]) -> Form:
    """`form` whose defaults name files as `label` says, as `relabel_files` does for values:
    what a list's "reset to default" rows and its default summary show."""
    sections = tuple(
        replace(section, fields=tuple(replace(f, default=_relabel(f, f.default, label)) for f in section.fields))
        for section in form.sections
    )
    return replace(form, sections=sections)


def _relabel(item: Field, value: Any, label: Callable[[str], str]) -> Any:
    by_key = {child.key: child for child in item.children}
    match item.widget:
        case "file" | "directory" if isinstance(value, str):
            return label(value)
        case "list" if isinstance(value, list) and item.children:
            return [_relabel(item.children[0], element, label) for element in value]
        case "samplesheet" if isinstance(value, list):
            return [_relabel_record(by_key, row, label) for row in value]
        case "group":
            return _relabel_record(by_key, value, label)
        case "optional" if item.children:
            return _relabel(item.children[0], value, label)
        case "dict" if isinstance(value, dict) and len(item.children) == 2:
            return {key: _relabel(item.children[1], element, label) for key, element in value.items()}
    return value


def _relabel_record(fields: Mapping[str, Field], value: Any, label: Callable[[str], str]) -> Any:
    if not isinstance(value, dict):
        return value
    return {key: _relabel(fields[key], element, label) if key in fields else element for key, element in value.items()}
