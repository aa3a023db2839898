"""An execution's page links each managed input file and each output file to its viewer,
beside the downloads: real runs on a real server, and a Chromium that clicks an output and
sees its viewer (under the pages' CSP, nothing off this machine, no console error)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from latchlike.files.paths import live_key
from latchlike.store.local import LocalFileStore
from tests.engine.running import ENGINE_PROJECT, launch_over_http, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer
from tests.web.test_files_page_browser import files_page

pytestmark = pytest.mark.slow
READS = b"@r1\nACGT\n+\nIIII\n@r2\nGGCC\n+\nIIII\n"


@pytest.fixture(scope="module")
def pipelines_server(server: RunningServer) -> RunningServer:
    result = pyflyte_register(server, ENGINE_PROJECT, package="pipelines")
    assert result.returncode == 0, result.stdout + result.stderr
    return server


def _succeeded(server: RunningServer, workflow: str, inputs: dict[str, object]) -> str:
    name = launch_over_http(server, workflow, inputs)
    wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    return name


def test_an_execution_links_its_files_to_their_viewers(pipelines_server: RunningServer) -> None:
    server = pipelines_server
    put = httpx.put(f"{server.url}/api/files/flytesnacks/runs/reads r1.fastq", content=READS, timeout=30)
    assert put.status_code == 201, put.text
    uri = LocalFileStore(server.data_dir / "store").uri(live_key("flytesnacks", "runs/reads r1.fastq"))
    counted = _succeeded(server, "pipelines.basic.count_file", {"reads": uri})
    written = _succeeded(server, "pipelines.basic.files", {"n": 3})
    folder = _succeeded(server, "pipelines.shapes.folders", {"n": 2})

    with files_page() as page:
        page.goto(f"{server.url}/executions/flytesnacks/development/{counted}")
        given = page.locator('#files tr[data-file="input:reads"]')
        expect(given.locator("a.view")).to_have_attribute("href", "/view/flytesnacks/runs/reads%20r1.fastq")
        expect(given.locator("a").first).to_have_text("reads r1.fastq")  # the download stays beside it

        page.goto(f"{server.url}/executions/flytesnacks/development/{folder}")
        expect(page.locator('#files tr[data-file="output:o0"] a.browse')).to_be_visible()
        expect(page.locator('#files tr[data-file="output:o0"] a.view')).to_have_count(0)  # a directory: browse it

        page.goto(f"{server.url}/executions/flytesnacks/development/{written}")
        output = page.locator('#files tr[data-file="output:o0"]')
        viewer = f"/view/flytesnacks/.executions/{written}/n0/o0/reads.txt"
        expect(output.locator("a.view")).to_have_attribute("href", viewer)
        output.locator("a.view").click()
        expect(page).to_have_url(server.url + viewer)
        expect(page.locator("main")).to_contain_text("read2")
