"""A person overrides a file's detected kind: over HTTP against a real server (the record
says so, an unknown kind is refused naming the known ones, outputs are read-only, a new
upload is detected again), the file's QC is queued again for the new kind, and the file
browser's "Change kind…" does it in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from latchlike.files import kinds_set, service
from latchlike.files.staging import StagedFile
from latchlike.platform import Platform
from latchlike.triggers.tables import TriggerRow
from tests.server import RunningServer, start_server
from tests.web.test_files_page_browser import files_page, row

CSV = b"a,b\n1,2\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data", builtins=False,
                           env={"LATCHLIKE_RUN_ENGINE": "false"})  # fmt: skip
    yield running
    running.stop()


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api/files/", timeout=30) as client:
        yield client


def _triggers(platform: Platform, file_id: int) -> int:
    with platform.db.session() as session:
        return session.scalar(select(func.count()).where(TriggerRow.file_id == file_id)) or 0


def test_a_changed_kind_queues_qc_again(platform: Platform) -> None:
    staged = StagedFile(platform.staging_dir)
    staged.write(CSV)
    staged.finish()
    with platform.db.session() as session:
        row, _ = service.put(session, platform.store, "lab", "table.txt", staged)
        file_id = row.id
    assert _triggers(platform, file_id) == 1  # the upload's own
    with platform.db.session() as session:
        changed = kinds_set.set_kind(session, "lab", "table.txt", "tsv")
        assert (changed.kind, changed.kind_detected) == ("tsv", False)
    assert _triggers(platform, file_id) == 2
    with platform.db.session() as session:
        kinds_set.set_kind(session, "lab", "table.txt", "tsv")  # the same kind again: nothing to re-check
    assert _triggers(platform, file_id) == 2


@pytest.mark.slow
def test_the_kind_is_set_over_http(api: httpx.Client) -> None:
    assert api.put("lab/t/table.txt", content=CSV).json()["kind"] == "csv"
    answer = api.post("lab/t/table.txt:kind", json={"kind": "tsv"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["kind"], answer.json()["kind_detected"], answer.json()["qc"]["status"]) == (
        "tsv", False, "queued")  # fmt: skip
    assert api.get("lab/t/table.txt").json()["kind"] == "tsv"
    listed = {entry["name"]: entry for entry in api.get("lab/t").json()["entries"]}
    assert (listed["table.txt"]["kind"], listed["table.txt"]["kind_detected"]) == ("tsv", False)
    assert api.post("lab/t/table.txt:kind", json={"kind": "unknown"}).json()["kind"] == "unknown"

    refused = api.post("lab/t/table.txt:kind", json={"kind": "spreadsheet"})
    assert refused.status_code == 400
    assert "'spreadsheet'" in refused.json()["message"] and "fastq" in refused.json()["message"]
    assert "unknown" in refused.json()["message"]
    assert api.post("lab/t:kind", json={"kind": "csv"}).status_code == 400  # a folder has no kind
    assert api.post("lab/t/none.txt:kind", json={"kind": "csv"}).status_code == 404
    assert api.post("lab/.executions/x/n0/o0/f.txt:kind", json={"kind": "csv"}).status_code == 403

    again = api.put("lab/t/table.txt", content=CSV).json()  # new content: detected anew
    assert (again["kind"], again["kind_detected"]) == ("csv", True)


@pytest.mark.slow
def test_the_file_browser_changes_a_kind(server: RunningServer) -> None:
    httpx.put(f"{server.url}/api/files/kinds/sheet.txt", content=CSV, timeout=30).raise_for_status()
    with files_page() as page:
        page.goto(f"{server.url}/files/kinds")
        expect(row(page, "sheet.txt")).to_contain_text("csv")
        row(page, "sheet.txt").locator("td.name").click()
        page.locator(".toolbar").get_by_role("button", name="Change kind…").click()
        expect(page.locator("#ask-dialog")).to_be_visible()
        expect(page.locator("#ask-help")).to_contain_text("fastq")
        page.locator("#ask-input").fill("tsv")
        page.locator("#ask-dialog").get_by_role("button", name="OK").click()
        expect(row(page, "sheet.txt")).to_contain_text("tsv (set by hand)")
        expect(page.get_by_role("status")).to_have_text("sheet.txt is tsv now")
    record = httpx.get(f"{server.url}/api/files/kinds/sheet.txt", timeout=30).json()
    assert (record["kind"], record["kind_detected"]) == ("tsv", False)
