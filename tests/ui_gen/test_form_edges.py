"""Without a browser: an emptied list means an empty list, and option values HTML must
escape are preselected (the browser tests in tests/web/test_form_edges_browser.py use both)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
import pytest
from markupsafe import escape

from ui_gen.form import build_form
from ui_gen.render import install
from ui_gen.schema import InterfaceSpec, ParameterSpec, TypeSpec
from ui_gen.submission import ROWS_MARKER, flatten, unflatten
from ui_gen.validate import FormValidator

ODD = ('say "hi"', "it's", "<b>", "R&D", 'x<\'"&">y')
ODD_ENUM = TypeSpec("enum", enum_values=ODD)
INTERFACE = InterfaceSpec(
    inputs=(
        ParameterSpec("lanes", TypeSpec("list", (TypeSpec("int"),)), required=False, default=[1, 2]),
        ParameterSpec("tags", TypeSpec("dict", (TypeSpec("str"),)), required=False, default={"a": "b"}),
        ParameterSpec("modes", TypeSpec("list", (ODD_ENUM,)), required=False, default=[ODD[3]]),
        ParameterSpec("needed", TypeSpec("list", (TypeSpec("int"),))),
        ParameterSpec("mode", ODD_ENUM, required=False, default=ODD[4]),
    )
)
FORM = build_form(INTERFACE, title="edges")
VALIDATOR = FormValidator(FORM)


class _NoFiles:
    def lookup(self, uri: str) -> None:
        return None


def _submit(data: Mapping[str, list[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    nested, errors = unflatten(FORM, data)
    outcome = VALIDATOR.validate(nested, _NoFiles())
    return outcome.values, {**errors, **outcome.errors}


def _marker(name: str) -> str:
    return f"{name}.{ROWS_MARKER}"


def test_lists_the_form_showed_and_were_emptied_launch_empty() -> None:
    values, errors = _submit(
        {"needed.0": ["5"], **{_marker(name): ["1"] for name in ("lanes", "tags", "modes", "needed")}}
    )
    assert errors == {}
    assert (values["lanes"], values["tags"], values["modes"]) == ([], {}, [])


def test_lists_not_on_the_form_take_their_defaults() -> None:
    values, errors = _submit({"needed.0": ["5"]})
    assert errors == {}
    assert (values["lanes"], values["tags"], values["modes"]) == ([1, 2], {"a": "b"}, [ODD[3]])


def test_an_emptied_required_list_is_refused() -> None:
    _, errors = _submit({_marker("needed"): ["1"]})
    assert errors == {"needed": "This field is required."}


def _render(flat: Mapping[str, list[str]]) -> str:
    env = jinja2.Environment(autoescape=True)
    install(env)
    template = env.from_string(
        '{% from "ui_gen/form.html" import render_form %}{{ render_form(form, flat, {}, picker_url, "/x") }}'
    )
    return template.render(form=FORM, flat=flat, picker_url=lambda _field: "")


@pytest.mark.parametrize("value", ODD)
def test_an_option_value_html_must_escape_is_preselected(value: str) -> None:
    page = _render(flatten(FORM, {"mode": value, "modes": [value]}))
    escaped = escape(value)
    assert f'<option value="{escaped}" selected>' in page
    assert page.count(" selected>") == 2  # `mode`'s and `modes`' own, no other


def test_a_list_with_a_default_shows_it_and_can_be_reset() -> None:
    page = _render(flatten(FORM, {"lanes": []}))
    assert "Default: 1, 2." in page
    assert 'data-default-rows="lanes"' in page and 'data-reset="lanes"' in page
