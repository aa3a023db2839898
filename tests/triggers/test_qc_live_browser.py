"""The biologist's loop in Chromium: a FASTA's QC badge turns from queued to done in the file
browser without a reload (also after "Re-run QC"), and a double-click opens the file's
viewer, whose QC report opens in its sandbox."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import browser_page
from tests.server import RunningServer
from tests.triggers.test_upload_qc import FASTA, wait_for_qc

pytestmark = pytest.mark.slow
PROJECT = "badges"


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
        assert page.locator("#records tbody tr").count() == 3
    report = wait_for_qc(api, PROJECT, "refs/ref.fa")["qc"]["report"]
    with browser_page() as page:
        page.goto(server.url + report)
        expect(page.frame_locator("#report-frame").locator("body")).to_contain_text("FASTA QC")
