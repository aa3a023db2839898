"""The built-in `fastq_qc` workflow run by the engine of a real `latchlike serve`, on files
uploaded through the files API, and its report opened in Chromium with the network cut."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Route

from latchlike.files.managed import files_prefix
from latchlike.store.local import LocalFileStore
from tests.browser import browser_page
from tests.engine.running import launch_over_http, wait_over_http
from tests.qc.fastq_fixtures import FASTQ
from tests.server import RunningServer

pytestmark = pytest.mark.slow
PROJECT = "flytesnacks"
WORKFLOW = "workflows.qc_fastq.fastq_qc"
PLOTS = 7  # figures per file in the report


def _upload(server: RunningServer, fixture: str, path: str) -> str:
    uploaded = httpx.put(f"{server.url}/api/files/{PROJECT}/{path}", content=(FASTQ / fixture).read_bytes())
    assert uploaded.status_code in (200, 201), uploaded.text
    return LocalFileStore(server.data_dir / "store").uri(files_prefix(PROJECT) + path)


def _outputs(server: RunningServer, execution: dict[str, Any]) -> dict[str, bytes]:
    base = f"{server.url}/executions/{PROJECT}/development/{execution['name']}/files"
    written = {f["name"]: f for f in execution["files"] if f["direction"] == "output"}
    return {name: httpx.get(f"{base}/{f['id']}").content for name, f in written.items()}


@pytest.fixture(scope="module")
def qc_execution(server: RunningServer) -> dict[str, Any]:
    name = launch_over_http(server, WORKFLOW, {"file": _upload(server, "sanger.fastq.gz", "qc/run1/reads.fastq.gz")})
    return wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")


@pytest.fixture(scope="module")
def qc_run(server: RunningServer, qc_execution: dict[str, Any]) -> dict[str, bytes]:
    return _outputs(server, qc_execution)


def test_the_workflow_is_registered_with_a_form(server: RunningServer) -> None:
    form = httpx.get(f"{server.url}/workflows/{PROJECT}/development/{WORKFLOW}/launch")
    assert form.status_code == 200 and 'name="file"' in form.text and 'name="mate' in form.text


def test_an_uploaded_fastq_gz_gets_its_summary_and_report(qc_run: dict[str, bytes]) -> None:
    assert set(qc_run) == {"summary", "report"}
    summary = json.loads(qc_run["summary"])
    assert (summary["schema"], summary["file"], summary["reads"], summary["bases"]) == (
        "latchlike.fastq_qc/1", "reads.fastq.gz", 300, 27857)  # fmt: skip
    assert qc_run["report"].startswith(b"<!doctype html>") and b"Plotly.newPlot" in qc_run["report"]


def test_a_truncated_fastq_fails_saying_where(server: RunningServer) -> None:
    name = launch_over_http(server, WORKFLOW, {"file": _upload(server, "truncated.fastq", "qc/run2/cut.fastq")})
    execution = wait_over_http(server, name, lambda e: e["phase"] == "FAILED")
    assert "cut.fastq: the file is truncated: record 152 (at byte offset" in json.dumps(execution["error"])


def test_the_report_draws_every_plot_offline(qc_run: dict[str, bytes], tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_bytes(qc_run["report"])
    blocked: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with browser_page() as page:
        page.context.route("**/*", local_only)
        page.goto(report.as_uri())
        page.wait_for_function(f"document.querySelectorAll('.plot .main-svg').length >= {PLOTS}")
        assert page.locator(".plot .boxlayer .trace").count() == 1  # the per-position box plots
        assert page.get_by_text("Sanger / Illumina 1.8+").count() == 1
    assert blocked == []


def test_the_report_draws_in_the_viewer_sandbox_under_the_pages_policy(
    server: RunningServer, qc_execution: dict[str, Any]
) -> None:
    """As a biologist opens it: the execution's `report` output below the project's
    `.executions` folder, shown by the viewer page in its sandboxed frame."""
    folder = f".executions/{qc_execution['name']}"
    while True:  # execution → node → output → the file
        entries = httpx.get(f"{server.url}/api/files/{PROJECT}/{folder}").json()["entries"]
        reports = [e for e in entries if e["name"] == "report" or e["name"].endswith(".html")]
        entry = reports[0] if reports else entries[0]
        folder = entry["path"]
        if not entry["is_folder"]:
            break
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/{folder}")
        frame = page.frame_locator("#report-frame")
        frame.locator(".plot .main-svg").first.wait_for()
        page.wait_for_function(
            "() => document.querySelector('#report-frame').contentDocument === null"  # sandboxed: opaque origin
        )
        assert frame.locator(".plot .main-svg").count() >= PLOTS
