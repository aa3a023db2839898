"""Uploads in the file browser, in a real Chromium against the real tus endpoint: files and a
whole folder dropped onto the page (a real drop, through Chromium's input pipeline) or picked
in Uppy's Dashboard, each with its own progress bar, landing under the folder that is open;
and an upload whose connection drops mid-way resumes where the server stopped."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.server import RunningServer, start_server
from tests.web.test_files_page_browser import files_page, row

pytestmark = pytest.mark.slow
CHUNK = 8 * 1024 * 1024
"""files.js sends tus PATCHes of this size: a dropped connection costs at most one."""
RECORD_PROGRESS = """() => {
  window.seenProgress = {};
  new MutationObserver((changes) => {
    for (const change of changes) {
      const bar = change.target;
      if (bar.tagName !== "PROGRESS") continue;
      const path = bar.closest("li").dataset.path;
      (window.seenProgress[path] ||= []).push(Number(bar.value));
    }
  }).observe(document.getElementById("upload-list"), {subtree: true, attributes: true, attributeFilter: ["value"]});
}"""
"""Every value each upload's progress bar showed (run by the test through DevTools, not by the page)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data", builtins=False,
                           env={"LATCHLIKE_RUN_ENGINE": "false"})  # fmt: skip
    yield running
    running.stop()


def tree(root: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    return files


def record(server: RunningServer, project: str, path: str) -> dict[str, object]:
    answer = httpx.get(f"{server.url}/api/files/{project}/{path}", timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def drop(page: Page, paths: list[Path]) -> None:
    """Drop files and folders from disk on the listing, as a person dragging them from their
    file manager: Chromium's own drag pipeline, so a folder arrives as a directory entry."""
    cdp = page.context.new_cdp_session(page)
    box = page.locator("#drop-zone").bounding_box()
    assert box is not None
    at = {"x": box["x"] + box["width"] / 2, "y": box["y"] + 40}
    data = {"items": [], "files": [str(path) for path in paths], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, **at, "data": data})


def test_dropping_files_and_a_folder_uploads_each_with_its_progress(server: RunningServer, tmp_path: Path) -> None:
    files = tree(tmp_path, {
        "notes.txt": b"plain words\n",
        "big.bin": os.urandom(3 * CHUNK // 2),
        "run7/reads_1.fastq": b"@r1\nACGT\n+\nIIII\n" * 1000,
        "run7/lane/sheet.csv": b"sample,reads\nS1,reads_1.fastq\n",
    })  # fmt: skip
    httpx.post(f"{server.url}/api/files/uploads/inbox:mkdir", timeout=30).raise_for_status()
    with files_page() as page:
        page.goto(f"{server.url}/files/uploads/inbox")
        expect(page.locator("#files-empty")).to_be_visible()
        page.evaluate(RECORD_PROGRESS)
        drop(page, [tmp_path / "notes.txt", tmp_path / "big.bin", tmp_path / "run7"])
        uploads = page.locator("#upload-list li")
        expect(uploads).to_have_count(4)
        for relative in files:
            shown = page.locator(f'#upload-list li[data-path="inbox/{relative}"]')
            expect(shown.locator(".upload-state")).to_have_text("done", timeout=60_000)
            expect(shown.locator("progress")).to_have_js_property("value", 100)
        seen = page.evaluate("window.seenProgress")
        assert set(seen) == {f"inbox/{relative}" for relative in files}  # one bar per file
        assert any(0 < value < 100 for value in seen["inbox/big.bin"]), seen["inbox/big.bin"]
        # The listing catches up by itself: the files, and the dropped folder with its own folder inside.
        expect(row(page, "inbox/notes.txt")).to_be_visible()
        expect(row(page, "inbox/run7")).to_be_visible()
        page.locator("#file-table").get_by_role("link", name="run7").click()
        expect(row(page, "inbox/run7/lane")).to_be_visible()
        expect(page.locator('#folder-tree li[data-folder="inbox/run7/lane"]')).to_be_visible()
    for relative, content in files.items():
        stored = record(server, "uploads", f"inbox/{relative}")
        assert (stored["size"], stored["sha256"]) == (len(content), hashlib.sha256(content).hexdigest()), relative
    assert record(server, "uploads", "inbox/run7/reads_1.fastq")["kind"] == "fastq"


def test_the_picker_uploads_a_whole_folder_into_the_open_one(server: RunningServer, tmp_path: Path) -> None:
    files = tree(tmp_path / "plates", {"a/1.csv": b"well,od\nA1,0.5\n", "2.txt": b"two\n"})
    httpx.post(f"{server.url}/api/files/picked/here:mkdir", timeout=30).raise_for_status()
    with files_page() as page:
        page.goto(f"{server.url}/files/picked/here")
        expect(page.locator("#files-empty")).to_be_visible()
        page.locator(".toolbar").get_by_role("button", name="Upload").click()
        dashboard = page.locator(".uppy-Dashboard-inner")
        expect(dashboard).to_be_visible()
        dashboard.locator("input[webkitdirectory]").set_input_files(tmp_path / "plates")
        for relative in files:
            shown = page.locator(f'#upload-list li[data-path="here/plates/{relative}"]')
            expect(shown.locator(".upload-state")).to_have_text("done", timeout=60_000)
        page.keyboard.press("Escape")
        expect(dashboard).to_be_hidden()
        expect(row(page, "here/plates")).to_be_visible()
    for relative, content in files.items():
        assert record(server, "picked", f"here/plates/{relative}")["sha256"] == hashlib.sha256(content).hexdigest()


def test_an_upload_whose_connection_drops_resumes_where_the_server_stopped(
    server: RunningServer, tmp_path: Path
) -> None:
    content = os.urandom(2 * CHUNK + 12345)
    (tmp_path / "genome.fa").write_bytes(content)
    cut = {"net::ERR_CONNECTION_RESET": "the test drops the connection of one tus PATCH, which Chromium logs"}
    with files_page(cut) as page:
        sent: list[tuple[str, str | None]] = []
        dropped: list[str] = []

        def note(request: Request) -> None:
            if "/api/tus/" in request.url and request.method in ("PATCH", "HEAD"):
                sent.append((request.method, request.headers.get("upload-offset")))

        def drop_second_patch(route: Route) -> None:
            request = route.request
            if request.method == "PATCH" and request.headers.get("upload-offset") == str(CHUNK) and not dropped:
                dropped.append(request.url)
                route.abort("connectionreset")
            else:
                route.fallback()

        page.on("request", note)
        page.route("**/api/tus/**", drop_second_patch)
        page.goto(f"{server.url}/files/resume")
        expect(page.locator("#files-empty")).to_be_visible()
        drop(page, [tmp_path / "genome.fa"])
        shown = page.locator('#upload-list li[data-path="genome.fa"]')
        expect(shown.locator(".upload-state")).to_have_text("done", timeout=60_000)
        expect(row(page, "genome.fa")).to_be_visible()
        expect(page.get_by_role("alert")).to_be_hidden()
    assert dropped, "no PATCH was dropped"
    # The first chunk was kept; after the drop the client asked where to go on, and went on from there.
    resumed = sent.index(("HEAD", None))
    assert sent[:resumed] == [("PATCH", "0"), ("PATCH", str(CHUNK))]
    assert sent[resumed + 1 :] == [("PATCH", str(CHUNK)), ("PATCH", str(2 * CHUNK))]
    stored = record(server, "resume", "genome.fa")
    assert (stored["size"], stored["sha256"]) == (len(content), hashlib.sha256(content).hexdigest())


def test_a_file_that_exists_is_replaced_only_when_asked(server: RunningServer, tmp_path: Path) -> None:
    put = httpx.put(f"{server.url}/api/files/replace/sample.csv", content=b"old\n", timeout=30)
    assert put.status_code == 201, put.text
    (tmp_path / "sample.csv").write_bytes(b"name,reads\nS1,10\n")
    refused = {"status of 412": "the test uploads onto a file that exists, to see the server's refusal"}
    with files_page(refused) as page:
        page.goto(f"{server.url}/files/replace")
        expect(row(page, "sample.csv")).to_be_visible()
        drop(page, [tmp_path / "sample.csv"])
        shown = page.locator('#upload-list li[data-path="sample.csv"]')
        expect(shown.locator(".upload-state")).to_contain_text("failed: 'sample.csv' exists")
        expect(page.get_by_role("alert")).to_contain_text("sample.csv: 'sample.csv' exists")
        assert record(server, "replace", "sample.csv")["size"] == len(b"old\n")
        page.get_by_label("Replace files that exist").check()
        drop(page, [tmp_path / "sample.csv"])
        expect(shown.last.locator(".upload-state")).to_have_text("done")
    assert record(server, "replace", "sample.csv")["sha256"] == hashlib.sha256(b"name,reads\nS1,10\n").hexdigest()
