"""The registry pages in a real browser: what a person sees after `pyflyte register`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import browser_page
from tests.pyflyte import pyflyte_register
from tests.samples import SAMPLE_PROJECT
from tests.server import RunningServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def registered(server: RunningServer) -> RunningServer:
    result = pyflyte_register(server, SAMPLE_PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    return server


@pytest.fixture
def page() -> Iterator[Page]:
    with browser_page() as opened:
        yield opened


def test_list_shows_workflows_and_opens_one(registered: RunningServer, page: Page, tmp_path: Path) -> None:
    page.goto(f"{registered.url}/")
    rows = page.locator("#workflows tbody tr")
    expect(rows.filter(has_not_text="workflows.qc_")).to_have_count(2)  # besides the built-in QC workflows
    sample_row = rows.filter(has_text="sample.reads.qc_reads")
    expect(sample_row).to_contain_text("Count good reads in a FASTQ file and summarize.")
    expect(rows.filter(has_text="workflows.hello.hello_world")).to_contain_text(
        "Greet someone, as many times as you like."
    )
    expect(sample_row.locator("time")).to_contain_text("UTC")
    page.screenshot(path=tmp_path / "workflows.png", full_page=True)

    sample_row.get_by_role("link", name="Qc reads").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Qc reads")
    expect(page.locator("#workflow-name")).to_have_text("sample.reads.qc_reads")


def test_workflow_page_shows_interface_tasks_and_versions(
    registered: RunningServer, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{registered.url}/workflows/flytesnacks/development/sample.reads.qc_reads")
    inputs = page.locator("table.params").filter(has=page.locator("caption", has_text="Inputs"))
    ratio = inputs.locator('tr[data-param="ratio"]')
    expect(ratio).to_contain_text("float")
    expect(ratio).to_contain_text("Fraction of reads to sample.")
    expect(ratio).to_contain_text("0.5")
    reads = inputs.locator('tr[data-param="reads"]')
    expect(reads.locator(".required")).to_be_visible()
    expect(reads).to_contain_text("File")
    expect(inputs.locator('tr[data-param="trimmer"]')).to_contain_text("one of fastp, cutadapt")
    expect(inputs.locator('tr[data-param="thresholds"]')).to_contain_text('"min_quality": 20')

    tasks = page.locator("#tasks tbody tr")
    count_reads = tasks.filter(has_text="sample.reads.count_reads")
    expect(count_reads).to_contain_text("cpu 1, memory 500Mi")
    expect(count_reads).to_contain_text("cpu 2, memory 1Gi")
    expect(count_reads.locator("td").nth(4)).to_have_text("2")
    expect(tasks.filter(has_text="sample.reads.summarize")).to_contain_text("on (version 2)")
    expect(count_reads).to_contain_text("cr.flyte.org/flyteorg/flytekit")
    expect(page.locator("#versions li")).to_have_count(1)
    page.screenshot(path=tmp_path / "workflow.png", full_page=True)


def test_unknown_workflow_is_a_readable_404(registered: RunningServer) -> None:
    expected = {"status of 404": "the test opens an unknown workflow on purpose: Chromium logs every 404 page"}
    with browser_page(expected_errors=expected) as page:
        response = page.goto(f"{registered.url}/workflows/flytesnacks/development/no.such.workflow")
        assert response is not None and response.status == 404
        expect(page.get_by_role("alert")).to_have_text(
            "workflow flytesnacks/development/no.such.workflow is not registered"
        )
        expect(page.get_by_role("link", name="Back to workflows")).to_be_visible()
