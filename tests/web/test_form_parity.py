"""Property: for generated values, the browser's checks (HTML5 constraints plus
ui_gen/static/forms.js) and the server's validator agree on every field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from tests.browser import browser_page
from ui_gen.form import build_form
from ui_gen.metadata import ParameterMetadata, Rule
from ui_gen.render import STATIC_DIR, install
from ui_gen.rules import FORMAT_ALIASES, matches_format, rule_failure
from ui_gen.schema import FieldSpec, InterfaceSpec, ParameterSpec, TypeSpec
from ui_gen.submission import unflatten
from ui_gen.validate import FormValidator

pytestmark = pytest.mark.slow

RULES = (
    Rule(regex="^[a-z0-9-]+$", message="lowercase letters, digits and dashes"),
    Rule(regex=r"^[A-Z]\w{2,7}$", message="a capital, then 2 to 7 word characters"),
    Rule(regex=r"^(ab|cd)*\d?$", message="pairs, then maybe a digit"),
    Rule(regex=r"^\S+(\s\S+)*.?$", message="words with single spaces"),
)
# Latch's own style: a rule asks for an ending (searched, not matched in full).
LATCH_RULE = Rule(regex=r"(\.fastq|\.fq)(\.gz)?$", message="a FASTQ name")
LIMITS = TypeSpec(
    "struct",
    title="Limits",
    fields=(
        FieldSpec("quality", TypeSpec("int"), required=True, minimum=0, maximum=60),
        FieldSpec("fraction", TypeSpec("float"), required=True, minimum=0, maximum=1),
    ),
)
INTERFACE = InterfaceSpec(
    inputs=tuple(
        [ParameterSpec(f"name{i}", TypeSpec("str"), metadata=ParameterMetadata(rules=(rule,))) for i, rule in
         enumerate(RULES)]
        + [ParameterSpec("limits", LIMITS), ParameterSpec("reads", TypeSpec("file", blob_format="fastq"))]
    )
)  # fmt: skip
FORM = build_form(INTERFACE, title="parity")
VALIDATOR = FormValidator(FORM)
FIELDS = ["name0", "name1", "name2", "name3", "limits.quality", "limits.fraction", "reads"]


@dataclass(frozen=True)
class _Entry:
    uri: str

    @property
    def name(self) -> str:
        return PurePosixPath(self.uri).name

    @property
    def is_directory(self) -> bool:
        return False


class _EverythingExists:
    """Existence is the server's alone to check; parity is about the rules both can see."""

    def lookup(self, uri: str) -> _Entry:
        return _Entry(uri)


def _page_html() -> str:
    env = jinja2.Environment(autoescape=True)
    install(env)
    template = env.from_string(
        '{% from "ui_gen/form.html" import render_form %}'
        "<!doctype html><html><body>{{ render_form(form, {}, {}, picker_url, '/nowhere') }}</body></html>"
    )
    script = (STATIC_DIR / "forms.js").read_text()
    return template.render(form=FORM, picker_url=lambda _field: "") + f"<script>{script}</script>"


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with browser_page() as opened:
        opened.set_content(_page_html())
        yield opened


def _browser(page: Page, values: dict[str, str]) -> dict[str, str]:
    """Each field's validation message after typing the values ('' when valid)."""
    return page.evaluate(  # type: ignore[no-any-return]
        """(values) => {
            const out = {};
            for (const [name, value] of Object.entries(values)) {
                const input = document.querySelector(`[name="${name}"]`);
                input.value = value;
                input.dispatchEvent(new Event("input", {bubbles: true}));
            }
            for (const name of Object.keys(values)) {
                const input = document.querySelector(`[name="${name}"]`);
                out[name] = input.validity.valid ? "" : (input.validationMessage || "invalid");
            }
            return out;
        }""",
        values,
    )


def _server(values: dict[str, str]) -> dict[str, str]:
    nested, errors = unflatten(FORM, {name: [value] for name, value in values.items()})
    outcome = VALIDATOR.validate(nested, _EverythingExists())
    found = {**outcome.errors, **errors}

    def error_of(name: str) -> str:
        """A field's own error, or its record's (an all-blank record is one missing input)."""
        parts = name.split(".")
        return next((found[".".join(parts[:n])] for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in found), "")

    return {name: error_of(name) for name in values}


# What an <input type=text> can hold: no line breaks (the browser strips them).
single_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\u2028\u2029"))
# Numbers as people type them (Chromium's step check rounds away digits beyond about 17).
number_text = st.one_of(
    st.integers(-100, 200).map(str),
    st.decimals(-2, 100, places=4, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["", "1e1", "6e1", "0.0", "-0", "60.0", "61", "1.", ".5", "12abc", "ten"]),
)
file_names = st.builds(
    lambda stem, ext, gz: f"file:///data/{stem}.{ext}{'.gz' if gz else ''}",
    st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True),
    st.sampled_from(["fastq", "FQ", "fq", "fasta", "csv", "txt", "fastq.bz2", "Fastq"]),
    st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.tuples(single_line, single_line, single_line, single_line),
    quality=number_text,
    fraction=number_text,
    reads=file_names,
)
def test_browser_and_server_agree(
    page: Page, names: tuple[str, str, str, str], quality: str, fraction: str, reads: str
) -> None:
    values = dict(zip(FIELDS, [*names, quality, fraction, reads], strict=True))
    browser = _browser(page, values)
    server = _server(values)
    for name in FIELDS:
        if name.startswith("name") and values[name]:
            # A rule failure says the same words on both sides.
            assert browser[name] == server[name], (name, values[name])
        elif name.startswith("limits") and browser[name] == "" and server[name] != "":
            # The browser sanitizes text that is not a number to "": then `required` speaks.
            pytest.fail(f"{name}={values[name]!r}: browser accepts, server says {server[name]!r}")
        else:
            assert bool(browser[name]) == bool(server[name]), (name, values[name], browser[name], server[name])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.from_regex(r"[A-Za-z0-9_.-]{0,12}", fullmatch=True),
    blob_format=st.one_of(st.sampled_from([*FORMAT_ALIASES, ""]), st.from_regex(r"[a-z]{1,5}", fullmatch=True)),
)
def test_file_formats_agree(page: Page, name: str, blob_format: str) -> None:
    browser = page.evaluate("([n, f]) => LatchlikeForms.matchesFormat(n, f)", [name, blob_format])
    assert browser is matches_format(name, blob_format)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=single_line, rule=st.sampled_from([*RULES, LATCH_RULE]))
def test_rules_agree(page: Page, value: str, rule: Rule) -> None:
    browser = page.evaluate("([rules, v]) => LatchlikeForms.ruleFailure(rules, v)", [[rule.model_dump()], value])
    assert browser == rule_failure([rule], value)
