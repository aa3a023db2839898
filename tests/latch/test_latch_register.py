"""Workflows written for the Latch SDK, ported to plain flytekit with their docstrings
untouched, register with the real `pyflyte register` and are offered as forms."""

from __future__ import annotations

import re
import shutil

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import browser_page, page_errors
from tests.pyflyte import pyflyte_register
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow

LATCH_PROJECT = FIXTURES / "latch" / "project"
BASE = "flytesnacks/development"
WORKFLOWS = {
    # flytekit names a workflow in `wf/__init__.py` after the file: `wf.__init__.assemble`.
    "wf.__init__.assemble": ["read1", "read2", "sample_name", "output_directory", "notes"],
    "wf.flow.fastp": ["sample_fork", "paired_end", "single_end", "quality_threshold", "output_directory"],
    "wf.samplesheet.variants": ["samples", "callers", "reference"],
    "wf.bare.bare": ["message", "times"],
}


@pytest.fixture(scope="module")
def registered(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> RunningServer:
    project = tmp_path_factory.mktemp("latch") / "project"
    shutil.copytree(LATCH_PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    result = pyflyte_register(server, project, package="wf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully registered" in result.stdout, result.stdout + result.stderr
    return server


def test_every_latch_workflow_registers_in_signature_order(registered: RunningServer) -> None:
    """Fast registration sends the code, so order survives, including for `wf/__init__.py`."""
    for name, order in WORKFLOWS.items():
        response = httpx.get(f"{registered.url}/api/workflows/{BASE}/{name}")
        assert response.status_code == 200, (name, response.text)
        assert [p["name"] for p in response.json()["inputs"]] == order, name


def test_every_latch_form_renders(registered: RunningServer) -> None:
    for name, order in WORKFLOWS.items():
        page = httpx.get(f"{registered.url}/workflows/{BASE}/{name}/launch")
        assert page.status_code == 200, (name, page.text[:2000])
        shown = [field for field in re.findall(r'\bname="([a-z_0-9]+)"', page.text) if field in order]
        assert shown, name
        assert list(dict.fromkeys(shown)) == [p for p in order if p in shown], name


def test_the_latch_metadata_shapes_the_form_and_the_page(registered: RunningServer) -> None:
    launch = httpx.get(f"{registered.url}/workflows/{BASE}/wf.__init__.assemble/launch").text
    assert "Assemble and Sort FastQ Files" in launch
    assert "Read 1" in launch and "Select a FASTQ file" in launch and "Sample reads" in launch
    about = httpx.get(f"{registered.url}/api/workflows/{BASE}/wf.__init__.assemble").json()["about"]
    assert about["author"] == "John von Neumann" and about["author_email"] == ""
    assert about["license"] == "MIT" and about["tags"] == ["NGS", "assembly"]
    assert [link["href"] for link in about["links"]] == [
        "https://example.org/docs/assemble",
        "https://github.com/example/assemble",
        "https://example.org/wiki/assemble",
        "https://example.org/video/assemble",
    ]
    assert any(note.startswith("parameter read1: batch_table_column = true") for note in about["notes"])
    page = httpx.get(f"{registered.url}/workflows/{BASE}/wf.__init__.assemble").text
    assert 'id="metadata-notes"' in page and "batch_table_column" in page


def test_links_that_are_not_http_are_never_live(registered: RunningServer) -> None:
    page = httpx.get(f"{registered.url}/workflows/{BASE}/wf.hostile.hostile")
    assert page.status_code == 200, page.text[:2000]
    about = page.text[page.text.index('id="about"') : page.text.index("</dl>")]
    assert "Mallory" in about
    assert "href" not in about
    assert "javascript:alert(document.domain)" in page.text  # shown, as text
    assert page.text.count("(not an http(s) link)") == 4
    launch = httpx.get(f"{registered.url}/workflows/{BASE}/wf.hostile.hostile/launch")
    assert launch.status_code == 200
    meta = launch.text[
        launch.text.index('<p class="meta">') : launch.text.index("</p>", launch.text.index('<p class="meta">'))
    ]
    assert "Mallory" in meta and "javascript:alert(document.domain)" in meta
    assert "href" not in meta


def test_the_flow_drives_the_form_in_a_browser(registered: RunningServer) -> None:
    """Latch's fastp tutorial: a fork shows one branch; the spoiler starts collapsed."""
    with browser_page() as page:
        errors = page_errors(page)
        page.goto(f"{registered.url}/workflows/{BASE}/wf.flow.fastp/launch")
        expect(page.locator("h3.flow-title")).to_have_text("fastp")
        samples = page.locator("section.flow-section").filter(has=page.locator("h3", has_text="Samples"))
        expect(samples).to_contain_text("Sample provided has to include an identifier")
        paired = page.locator('fieldset[data-fork-branch="paired_end"]')
        single = page.locator('fieldset[data-fork-branch="single_end"]')
        expect(paired).to_be_hidden()
        expect(single).to_be_hidden()
        expect(page.locator("details.flow-spoiler")).not_to_have_attribute("open", "")
        page.get_by_label("Single-end").check()
        expect(single).to_be_visible()
        expect(paired).to_be_hidden()
        page.get_by_label("Paired-end").check()
        expect(paired).to_be_visible()
        expect(single).to_be_hidden()
        page.get_by_role("button", name="Launch").click()  # the chosen branch's record is required
        expect(page.locator('[data-field="paired_end.name"] .field-error')).not_to_be_empty()
        assert errors == []
