"""Rendering forms with Jinja2: ui_gen ships its widget macros (`ui_gen/form.html`) and a
small browser script (`static/forms.js`); `install` hooks both helpers into an
application's Jinja2 environment, which keeps its own templates first."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ui_gen.form import Field
from ui_gen.layout import Block, keys_in
from ui_gen.submission import ROWS_MARKER, flatten_field, row_indices

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def install(env: jinja2.Environment, *, markdown: Callable[[str], Markup] | None = None) -> None:
    """`markdown` renders a layout's Text blocks to safe HTML; without one they are shown as
    plain text (ui_gen carries no Markdown renderer or sanitiser of its own)."""
    env.loader = jinja2.ChoiceLoader(
        [loader for loader in (env.loader,) if loader] + [jinja2.FileSystemLoader(TEMPLATES_DIR)]
    )
    env.globals["row_indices"] = row_indices
    env.globals["first"] = first
    env.globals["default_flat"] = default_flat
    env.globals["default_summary"] = default_summary
    env.globals["ROWS_MARKER"] = ROWS_MARKER
    env.globals["errors_roots"] = errors_roots
    env.filters["rules_json"] = rules_json
    env.filters["flow_markdown"] = markdown or _plain_text
    env.globals["holds_errors"] = holds_errors


def _plain_text(text: str) -> Markup:
    return Markup("<p>{}</p>").format(text)


def errors_roots(errors: Mapping[str, str]) -> set[str]:
    """Top-level parameter names with an error, to open the section that holds them."""
    return {name.split(".", 1)[0] for name in errors}


def holds_errors(block: Block, errors: Mapping[str, str]) -> bool:
    """Whether a collapsed panel holds a field with an error, so it is shown open."""
    return not errors_roots(errors).isdisjoint(keys_in([block]))


def rules_json(field: Field) -> str:
    return json.dumps([rule.model_dump() for rule in field.rules])


def first(flat: Mapping[str, list[str]], name: str) -> str:
    """The raw value a field shows. A function, not a macro: a macro's output is escaped
    Markup, which never equals an option value holding `"`, `'`, `<`, `>` or `&`."""
    return (flat.get(name) or [""])[-1]


def default_flat(item: Field, name: str) -> dict[str, list[str]]:
    """A list's default as flat form values under `name`, for its "reset to default" rows."""
    return flatten_field(item, name, item.default)


DEFAULT_SUMMARY_ITEMS = 5


def default_summary(item: Field) -> str:
    """A list's default in a few words: its items, or how many there are."""
    value: Any = item.default
    if not value:
        return "empty"
    items = [f"{key}: {element}" for key, element in value.items()] if isinstance(value, dict) else list(value)
    if any(isinstance(element, dict | list) for element in items):
        return f"{len(items)} row{'s' if len(items) != 1 else ''}"
    shown = ", ".join(str(element) for element in items[:DEFAULT_SUMMARY_ITEMS])
    return shown + (f" and {len(items) - DEFAULT_SUMMARY_ITEMS} more" if len(items) > DEFAULT_SUMMARY_ITEMS else "")
