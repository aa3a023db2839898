"""The biologist's loop in Chromium: a FASTA's QC badge turns from queued to done in the file
browser without a reload (also after "Re-run QC"), and a double-click opens the file's
viewer on its QC report, in its sandbox; a file opened while its QC runs shows the report by
itself when it is done, with the plots drawn, across a server restart; a failed QC says why on the file's page."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import browser_page
from tests.server import RunningServer, start_server
from tests.triggers.test_upload_qc import FASTA, wait_for_qc

pytestmark = pytest.mark.slow
PROJECT = "badges"
FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_the_qc_badge_turns_done_without_a_reload_and_a_double_click_opens_the_file(
    server: RunningServer,
    api: httpx.Client,  # the fixtures imported above
) -> None:
    assert api.put(f"files/{PROJECT}/refs/ref.fa", content=FASTA).status_code == 201
    with browser_page() as page:
        page.goto(f"{server.url}/files/{PROJECT}/refs")
        page.evaluate("window.notReloaded = true")
        badge = page.locator('#file-table tbody tr[data-path="refs/ref.fa"] .qc')
        expect(badge).to_have_text("QC done", timeout=90_000)
        page.locator('#file-table tbody tr[data-path="refs/ref.fa"] td.name').click(button="right")
        page.get_by_role("menuitem", name="Re-run QC").click()
        expect(badge).to_have_text(re.compile("QC (queued|running)"), timeout=10_000)
        expect(badge).to_have_text("QC done", timeout=90_000)
        assert page.evaluate("window.notReloaded") is True  # the listing polled; the page stayed

        page.locator('#file-table tbody tr[data-path="refs/ref.fa"] td.name').dblclick()
        page.wait_for_url(f"{server.url}/view/{PROJECT}/refs/ref.fa")
        expect(page.frame_locator("#report-frame").locator("body")).to_contain_text("FASTA QC")  # QC first
        page.locator("#viewers").get_by_role("link", name="records").click()
        expect(page.locator("#records tbody tr")).to_have_count(3)
    report = wait_for_qc(api, PROJECT, "refs/ref.fa")["qc"]["report"]
    with browser_page() as page:
        page.goto(server.url + report)
        expect(page.frame_locator("#report-frame").locator("body")).to_contain_text("FASTA QC")


def test_a_files_page_shows_why_its_qc_failed(server: RunningServer, api: httpx.Client) -> None:
    assert api.put(f"files/{PROJECT}/bad/broken.fa", content=b">ok\nACGT\n>broken\nAC#T\n").status_code == 201
    assert wait_for_qc(api, PROJECT, "bad/broken.fa")["qc"]["status"] == "failed"
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/bad/broken.fa")
        expect(page.locator("#qc-message")).to_contain_text("sequence 2 ('broken')")
        expect(page.locator("#qc-message")).not_to_contain_text("Traceback")


def test_a_page_opened_while_the_qc_waits_shows_the_report_by_itself(tmp_path: Path, database: str) -> None:
    """Opened as a double-click would, before the QC can run: here the server records the
    trigger but launches nothing (triggers off), then restarts on the same port with them on,
    so the page's wait spans a restart too."""
    data_dir = tmp_path / "data"
    reads = (FIXTURES / "fastq" / "sanger.fastq.gz").read_bytes()
    recording = start_server(data_dir, env={"LATCHLIKE_RUN_TRIGGERS": "false"})
    running: RunningServer | None = None
    try:
        with httpx.Client(base_url=recording.url + "/api/", timeout=30) as api:
            assert api.put(f"files/{PROJECT}/runs/lane1.fastq.gz", content=reads).status_code == 201
        restart = {"ERR_CONNECTION_REFUSED": "the page keeps asking while the server restarts"}
        with browser_page(expected_errors=restart) as page:
            page.goto(f"{recording.url}/view/{PROJECT}/runs/lane1.fastq.gz")
            expect(page.locator("#qc-pending")).to_contain_text("is queued")
            recording.stop()
            running = start_server(data_dir, http_port=recording.http_port)
            plots = page.frame_locator("#report-frame").locator(".plot .main-svg")
            plots.first.wait_for(timeout=90_000)
            assert plots.count() >= 5
        with httpx.Client(base_url=running.url + "/api/", timeout=30) as api:
            qc = wait_for_qc(api, PROJECT, "runs/lane1.fastq.gz")["qc"]
        assert qc["status"] == "done" and qc["summary"]["reads"] > 0
    finally:
        recording.stop()
        if running is not None:
            running.stop()
