"""Names people read, on the Latch workflows as registered by the real pyflyte: titles in
the list, pages and breadcrumbs; search and tag filter on the list (with and without
JavaScript); error summaries in the form's labels; no Flyte jargon on the workflow page."""

from __future__ import annotations

import shutil

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import browser_page, page_errors
from tests.pyflyte import pyflyte_register
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow
BASE = "flytesnacks/development"


@pytest.fixture(scope="module")
def registered(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> RunningServer:
    project = tmp_path_factory.mktemp("latch") / "project"
    shutil.copytree(FIXTURES / "latch" / "project", project, ignore=shutil.ignore_patterns("__pycache__"))
    result = pyflyte_register(server, project, package="wf")
    assert result.returncode == 0, result.stdout + result.stderr
    return server


@pytest.mark.parametrize("javascript", [True, False])
def test_the_list_shows_titles_and_filters_by_search_and_tag(registered: RunningServer, javascript: bool) -> None:
    with browser_page(javascript=javascript) as page:
        errors = page_errors(page)
        page.goto(f"{registered.url}/workflows")
        rows = page.locator("#workflows tbody tr")
        assembly = rows.filter(has_text="wf.__init__.assemble")
        expect(assembly.get_by_role("link", name="Assemble and Sort FastQ Files")).to_be_visible()
        page.get_by_label("Search").fill("variant calling")  # not the built-in variant QC
        page.get_by_role("button", name="Search").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Variant calling")
        page.get_by_label("Search").fill("")
        page.get_by_label("Tag").select_option("NGS")
        page.get_by_role("button", name="Search").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Assemble and Sort FastQ Files")
        rows.first.get_by_role("link", name="Assemble and Sort FastQ Files").click()
        expect(page.locator("main > h1")).to_have_text("Assemble and Sort FastQ Files")
        expect(page).to_have_title("Assemble and Sort FastQ Files · latchlike")
        page.locator("#launch").click()
        expect(page.locator(".crumbs")).to_have_text("Workflows › Assemble and Sort FastQ Files › launch")
        assert errors == []


def test_the_filters_are_server_side(registered: RunningServer) -> None:
    none = httpx.get(f"{registered.url}/workflows", params={"q": "no such workflow"})
    assert none.status_code == 200 and 'id="no-match"' in none.text and 'id="workflows"' not in none.text
    tagged = httpx.get(f"{registered.url}/api/workflows", params={"tag": "assembly"}).json()
    assert [w["title"] for w in tagged] == ["Assemble and Sort FastQ Files"]
    assert tagged[0]["tags"] == ["NGS", "assembly"]


def test_error_summaries_name_inputs_as_the_form_labels_them(registered: RunningServer) -> None:
    response = httpx.post(
        f"{registered.url}/workflows/{BASE}/wf.samplesheet.variants/launch",
        data={"samples.0.name": "a", "samples.0.condition": "x", "callers": "gatk"},
    )
    assert response.status_code == 422
    summary = response.text[response.text.index('id="form-errors"') : response.text.index("</ul>")]
    assert "Samples, row 1, Fastq" in summary
    assert ">samples.0.fastq<" not in summary


def test_the_workflow_page_says_whether_a_version_is_current_in_plain_words(registered: RunningServer) -> None:
    page = httpx.get(f"{registered.url}/workflows/{BASE}/wf.bare.bare").text
    assert "launch plan inactive" not in page and "launch plan active" not in page
    assert "marked as the version to use" in page
