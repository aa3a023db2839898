"""The generated launch form in headless Chromium, as a bench biologist uses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Page, expect

from latchlike.db import Database
from latchlike.executions.service import Execution, ExecutionKey, get_execution
from tests.browser import browser_page
from tests.server import RunningServer
from tests.ui_gen.flytekit_values import flytekit_literals, matrix_values
from tests.web.launching import MatrixServer, register_matrix

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def matrix(server: RunningServer) -> MatrixServer:
    return register_matrix(server)


@pytest.fixture
def page() -> Iterator[Page]:
    with browser_page() as opened:
        yield opened


def _by_name(page: Page, name: str) -> object:
    return page.locator(f'[name="{name}"]')


def _stored(matrix: MatrixServer, url: str) -> Execution:
    project, domain, name = url.rstrip("/").split("/")[-3:]
    db = Database(matrix.server.database_url)
    try:
        with db.session() as session:
            return get_execution(session, ExecutionKey(project, domain, name))
    finally:
        db.dispose()


def _fill_required(page: Page, matrix: MatrixServer) -> None:
    page.fill('[name="run_name"]', "run-7")
    page.fill('[name="threads"]', "4")
    page.fill('[name="samples.0.sample"]', "S1")
    page.fill('[name="samples.0.fastq"]', matrix.files["s1"])
    page.fill('[name="reads"]', matrix.files["reads"])
    page.fill('[name="trimming.adapter"]', "AGATCGGAAGAGC")


def _server_errors(page: Page) -> tuple[int, dict[str, str]]:
    """POST the form as it stands, bypassing the browser's checks, and read the server's errors.
    Posted from here, not by a `fetch` in the page: the refusal is no console error."""
    action, fields = page.evaluate(
        """() => {
            const form = document.querySelector("form[data-launch-form]");
            return [form.action, [...new URLSearchParams(new FormData(form))]];
        }"""
    )
    response = httpx.post(
        action,
        content=urlencode([(key, value) for key, value in fields]),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    status, html = response.status_code, response.text
    errors = {}
    for part in html.split('class="field-error" id="')[1:]:
        name, rest = part.split('--error"', 1)
        message = rest.split(">", 1)[1].split("</p>", 1)[0]
        if message:
            errors[name] = message
    return status, errors


CASES = [
    # (widget, field name, how to make it invalid, the browser's message, where the server puts its error)
    ("text with a rule", "run_name", ("fill", "Bad Name"), "use lowercase letters, digits and dashes", "run_name"),
    ("number, required", "threads", ("fill", ""), "Please fill out this field.", "threads"),
    ("number, integer", "threads", ("fill", "1.5"), "Please enter a valid value", "threads"),
    ("number, maximum", "limits.min_quality", ("fill", "99"), "less than or equal to 60", "limits.min_quality"),
    ("union branch", "label.b0", ("branch", "0"), "Please fill out this field.", "label.b0"),
    ("file format", "reads", ("uri", "table"), "'table.csv' is not a fastq file", "reads"),
    ("file, required", "reads", ("fill", ""), "Pick a file or enter its URI.", "reads"),
    ("samplesheet cell", "samples.0.sample", ("fill", ""), "Please fill out this field.", "samples.0.sample"),
    ("list item", "lanes.0", ("fill", ""), "Please fill out this field.", "lanes.0"),
    ("dict value", "tags.0.value", ("fill", ""), "Please fill out this field.", "tags.0.value"),
    ("required list emptied", "samples", ("remove", ""), "This field is required.", "samples"),
]


@pytest.mark.parametrize(
    ("widget", "name", "change", "browser_message", "server_field"), CASES, ids=[c[0] for c in CASES]
)
def test_an_invalid_value_is_blocked_in_the_browser_and_refused_by_the_server(
    matrix: MatrixServer,
    page: Page,
    widget: str,
    name: str,
    change: tuple[str, str],
    browser_message: str,
    server_field: str,
) -> None:
    page.goto(matrix.launch_url)
    _fill_required(page, matrix)
    action, value = change
    if action == "fill":
        page.fill(f'[name="{name}"]', value)
    elif action == "remove":
        page.locator(f'[data-rows="{name}"] [data-remove]').click()
    elif action == "branch":
        page.select_option(f'[name="{name.rsplit(".", 1)[0]}.branch"]', value)
        page.fill(f'[name="{name}"]', "")
    else:
        page.fill(f'[name="{name}"]', matrix.files[value])
    page.get_by_role("button", name="Launch").click()

    error_box = page.locator(f'[id="{server_field}--error"]')
    expect(error_box).to_contain_text(browser_message)
    assert page.url == matrix.launch_url  # nothing was submitted

    status, errors = _server_errors(page)
    assert status == 422
    assert server_field in errors, errors


def test_a_filled_form_launches_exactly_what_pyflyte_run_would_pass(
    matrix: MatrixServer, page: Page, tmp_path: Path
) -> None:
    files = matrix.files
    page.goto(matrix.launch_url)
    page.fill('[name="run_name"]', "run-7")
    page.fill('[name="threads"]', "4")
    # A samplesheet pasted from CSV, by the column labels a spreadsheet would have.
    page.get_by_text("Paste or import CSV").click()
    page.fill('[name="samples.csv"]', f"sample,fastq,replicate\nS1,{files['s1']},2\nS2,{files['reads']},\n")
    page.get_by_role("button", name="Fill the table from CSV").click()
    expect(page.locator('[data-sheet="samples"] tbody tr')).to_have_count(2)
    expect(_by_name(page, "samples.1.sample")).to_have_value("S2")  # type: ignore[arg-type]
    # A file picked from the store's folders, filtered to FASTQ.
    picker = page.locator('[data-picker="reads"]')
    picker.get_by_role("button", name="Browse…").click()
    picker.get_by_role("button", name="▸ run1/").click()
    expect(picker.locator(".picker-tree .choose")).to_have_text(["reads.fastq.gz", "s1.fq", "s2.fastq"])
    picker.get_by_role("button", name="reads.fastq.gz").click()
    # A nested dataclass, two levels deep.
    page.fill('[name="trimming.adapter"]', "AGATCGGAAGAGC")
    page.fill('[name="trimming.window.size"]', "50")
    page.fill('[name="trimming.window.step"]', "5")
    page.select_option('[name="trimming.strand"]', "reverse")
    page.fill('[name="limits.min_quality"]', "30")
    page.fill('[name="limits.max_n_fraction"]', "0.05")
    page.fill('[name="ratio"]', "0.25")
    page.check('[name="paired"]')
    page.fill('[name="started"]', "2024-05-06T07:08:09")
    page.fill('[name="timeout"]', "90")
    page.select_option('[name="strand"]', "both")
    page.select_option('[name="strands"]', ["forward", "reverse"])
    # The Optional `seed` is left unset; a Union branch is chosen.
    expect(page.locator('[name="seed.__none__"]')).to_be_checked()
    page.select_option('[name="label.branch"]', label="int")
    page.fill('[name="label.b0"]', "7")
    page.fill('[name="lanes.0"]', "3")
    page.fill('[name="lanes.1"]', "4")
    page.fill('[name="tags.0.value"]', "12.5")
    page.get_by_role("button", name="Add entry").click()
    page.fill('[name="tags.1.key"]', "gc")
    page.fill('[name="tags.1.value"]', "0.4")
    page.uncheck('[name="outdir.__none__"]')
    outdir = page.locator('[data-picker="outdir.value"]')
    outdir.get_by_role("button", name="Browse…").click()
    outdir.get_by_role("button", name="use this folder").click()
    page.fill('[name="notes"]', "line one\nline two")
    page.screenshot(path=tmp_path / "filled.png", full_page=True)
    page.get_by_role("button", name="Launch").click()

    expect(page.locator("#phase")).to_have_text("QUEUED")
    execution = _stored(matrix, page.url)
    expected = flytekit_literals(matrix_values(files))
    assert dict(execution.inputs.literals) == dict(expected.literals)

    # Relaunch: the same form, prefilled with these inputs, launches the same LiteralMap.
    page.get_by_role("link", name="Relaunch with these inputs").click()
    expect(_by_name(page, "samples.1.sample")).to_have_value("S2")  # type: ignore[arg-type]
    expect(_by_name(page, "label.b0")).to_have_value("7")  # type: ignore[arg-type]
    page.get_by_role("button", name="Launch").click()
    expect(page.locator("#phase")).to_have_text("QUEUED")
    relaunched = _stored(matrix, page.url)
    assert relaunched.inputs == execution.inputs
    assert relaunched.relaunch_of == execution.key.name


def test_the_basics_work_without_javascript(matrix: MatrixServer, tmp_path: Path) -> None:
    with browser_page(javascript=False) as page:
        page.goto(matrix.launch_url)
        _fill_required(page, matrix)
        page.fill('[name="run_name"]', "no-js")
        page.get_by_role("button", name="Launch").click()
        expect(page.locator("#phase")).to_have_text("QUEUED")
        assert _stored(matrix, page.url).inputs.literals["run_name"].scalar.primitive.string_value == "no-js"
