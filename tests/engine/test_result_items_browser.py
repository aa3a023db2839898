"""Results a biologist opens after a run, through a real server and real flytekit tasks: a
map task's items one page at a time with each item's log, a dynamic parent's log, a task
that printed nothing, a samplesheet's FASTQs among the execution's files, a directory
browsed file by file, and a report whose file name has a space."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser import browser_page, page_errors
from tests.engine.running import ENGINE_PROJECT, launch_over_http, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer

pytestmark = pytest.mark.slow

EXECUTIONS = "flytesnacks/development"
FAILING = [7, 19]  # qc refuses these samples


@pytest.fixture(scope="module")
def runs(server: RunningServer) -> dict[str, str]:
    """Each workflow launched once and run to its end: workflow name → execution name."""
    result = pyflyte_register(server, ENGINE_PROJECT, package="pipelines")
    assert result.returncode == 0, result.stdout + result.stderr
    launched = {
        "screened": launch_over_http(server, "pipelines.sheets.screened", {"xs": list(range(30))}),
        "planned": launch_over_http(server, "pipelines.sheets.planned", {"n": 2}),
        "quiet": launch_over_http(server, "pipelines.sheets.quiet", {"x": 1}),
        "samplesheet": launch_over_http(server, "pipelines.sheets.samplesheet", {"n": 2}),
        "figures": launch_over_http(server, "pipelines.sheets.figures", {}),
    }
    for name in launched.values():
        wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    return launched


@pytest.fixture
def page() -> Iterator[Page]:
    with browser_page(javascript=True) as opened:
        yield opened


def _items(server: RunningServer, name: str, **query: Any) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/api/executions/{EXECUTIONS}/{name}/nodes/n0/items", params=query)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_map_items_are_paged_and_filtered_by_phase(server: RunningServer, runs: dict[str, str]) -> None:
    name = runs["screened"]
    first = _items(server, name, limit=10)
    assert (first["total"], first["counts"]) == (30, {"SUCCEEDED": 28, "FAILED": 2})
    assert [item["index"] for item in first["items"]] == list(range(10))
    last = _items(server, name, offset=25, limit=10)
    assert [item["index"] for item in last["items"]] == [25, 26, 27, 28, 29]
    failed = _items(server, name, phase="FAILED")
    assert failed["total"] == 2
    assert [item["index"] for item in failed["items"]] == FAILING
    assert all("failed QC" in item["error"] for item in failed["items"])
    too_many = httpx.get(f"{server.url}/api/executions/{EXECUTIONS}/{name}/nodes/n0/items", params={"limit": 10_001})
    assert too_many.status_code == 422
    not_a_map = httpx.get(f"{server.url}/api/executions/{EXECUTIONS}/{name}/nodes/n1/items")
    assert not_a_map.status_code == 404


def test_the_page_shows_each_item_and_opens_its_log(server: RunningServer, runs: dict[str, str], page: Page) -> None:
    errors = page_errors(page)
    page.goto(f"{server.url}/executions/{EXECUTIONS}/{runs['screened']}")
    items = page.locator("section.map-items[data-node='n0']")
    expect(items.locator("tbody tr")).to_have_count(30)
    expect(items.locator(".items-range")).to_have_text("1–30 of 30")
    items.locator("select.items-phase").select_option("FAILED")
    expect(items.locator("tbody tr")).to_have_count(2)
    expect(items.locator("tbody tr[data-item='19']")).to_contain_text("FAILED")
    items.locator("tbody tr[data-item='19'] a", has_text="log").click()
    expect(items.locator("pre.item-log")).to_contain_text("item 19, attempt")
    expect(items.locator("pre.item-log")).to_contain_text("checking sample 19")
    assert errors == []


def test_a_dynamic_parents_log_is_linked(server: RunningServer, runs: dict[str, str], page: Page) -> None:
    errors = page_errors(page)
    page.goto(f"{server.url}/executions/{EXECUTIONS}/{runs['planned']}")
    expect(page.locator("#nodes tr[data-node='n0']")).to_contain_text("pipelines.sheets.plan")
    link = page.locator("#nodes tr[data-node='n0'] a", has_text="log").get_attribute("href")
    assert errors == []
    log = httpx.get(f"{server.url}{link}")
    assert "planning 2 samples" in log.text


def test_a_finished_task_with_an_empty_log_says_so(server: RunningServer, runs: dict[str, str]) -> None:
    name = runs["quiet"]
    (node,) = httpx.get(f"{server.url}/api/executions/{EXECUTIONS}/{name}").json()["nodes"]
    log = httpx.get(f"{server.url}/executions/{EXECUTIONS}/{name}/nodes/n0/{node['attempt']}/log")
    assert log.status_code == 200
    assert log.text == "(the task wrote no log)"


def test_a_samplesheets_fastqs_are_among_the_files(server: RunningServer, runs: dict[str, str], page: Page) -> None:
    name = runs["samplesheet"]
    files = httpx.get(f"{server.url}/api/executions/{EXECUTIONS}/{name}").json()["files"]
    written = {(f["node_id"], f["name"]): f for f in files if f["direction"] == "output"}
    sheet = {("n0", "o0[0].r1"), ("n0", "o0[0].r2"), ("n0", "o0[1].r1")}  # sheet(): the FASTQs in its records
    assert set(written) >= sheet | {("n1", "o0.s0"), ("n1", "o0.s1")}  # reports(): a dict of files
    assert ("n0", "o0[1].r2") not in written  # single-end: no second read
    fastq = written[("n0", "o0[0].r2")]
    assert fastq["in_store"] and fastq["sha256"] and fastq["uri"].endswith("s0_R2.fastq")
    download = httpx.get(f"{server.url}/executions/{EXECUTIONS}/{name}/files/{fastq['id']}")
    assert download.content == b"@r0\nTGCA\n+\nIIII\n"
    errors = page_errors(page)
    page.goto(f"{server.url}/executions/{EXECUTIONS}/{name}")
    expect(page.locator("#files tr[data-file='output:o0[0].r2']")).to_contain_text("s0_R2.fastq")
    assert errors == []


def test_a_directory_is_browsed_file_by_file(server: RunningServer, runs: dict[str, str], page: Page) -> None:
    errors = page_errors(page)
    page.goto(f"{server.url}/executions/{EXECUTIONS}/{runs['figures']}")
    page.locator("#files tr[data-file='output:o0'] a.browse").click()
    listing = page.locator("#folder-files")
    expect(listing.locator("tbody tr")).to_have_count(2)
    expect(listing.locator("tr[data-member='summary.txt']")).to_contain_text("9 B")
    with page.expect_download() as download:
        listing.locator("tr[data-member='by sample/s 1.txt'] a").click()
    assert download.value.suggested_filename == "s 1.txt"
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == b"plot 1\n"
    assert errors == []


def test_a_file_named_with_a_space_downloads(server: RunningServer, runs: dict[str, str]) -> None:
    name = runs["figures"]
    files = httpx.get(f"{server.url}/api/executions/{EXECUTIONS}/{name}").json()["files"]
    (report,) = (f for f in files if f["node_id"] == "n1")  # summary(), the second task
    assert report["in_store"] and report["sha256"], report
    page = httpx.get(f"{server.url}/executions/{EXECUTIONS}/{name}")
    assert "not in the store" not in page.text
    download = httpx.get(f"{server.url}/executions/{EXECUTIONS}/{name}/files/{report['id']}")
    assert download.status_code == 200
    assert download.content == b"two samples failed\n"
    assert "filename*=UTF-8''QC%20report.txt" in download.headers["content-disposition"]


def test_the_live_stream_counts_items_without_listing_them(server: RunningServer, runs: dict[str, str]) -> None:
    url = f"{server.url}/executions/{EXECUTIONS}/{runs['screened']}/events"
    with httpx.stream("GET", url, timeout=30) as stream:
        data = next(line for line in stream.iter_lines() if line.startswith("data: "))
    state = json.loads(data.removeprefix("data: "))
    assert {key.split("/")[0] for key in state["nodes"]} == {"n0", "n1"}  # the array node and kept(), no items
    (array,) = (value for key, value in state["nodes"].items() if key.startswith("n0/"))
    assert array[2] == {"SUCCEEDED": 28, "FAILED": 2}
