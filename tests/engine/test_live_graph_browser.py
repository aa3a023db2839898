"""The execution graph follows phases live: a box changes phase with no page reload and no
page error (SVG elements' `className` is not a string)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import browser_page, page_errors
from tests.engine.running import launch_over_http, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow

LIVE_PROJECT = FIXTURES / "live_project"


def test_a_graph_box_changes_phase_without_a_reload(server: RunningServer, tmp_path: Path) -> None:
    result = pyflyte_register(server, LIVE_PROJECT, package="live")
    assert result.returncode == 0, result.stdout + result.stderr
    name = launch_over_http(server, "live.graph.side_by_side", {"quick": 4, "slow": 25})
    wait_over_http(server, name, lambda e: len(e["nodes"]) == 2 and all(n["phase"] == "RUNNING" for n in e["nodes"]))
    quick = "n1"  # the workflow's second call
    with browser_page() as page:
        errors = page_errors(page)
        page.goto(f"{server.url}/executions/flytesnacks/development/{name}")
        box = page.locator(f"#graph g[data-node='{quick}']")
        expect(box).to_have_class("graph-node phase-running")
        page.evaluate("window.notReloaded = true")
        expect(box).to_have_class("graph-node phase-succeeded", timeout=20_000)
        expect(box.locator(".graph-detail")).to_contain_text("succeeded")
        assert page.evaluate("window.notReloaded === true"), "the page reloaded to show the phase"
        expect(page.locator("#phase")).to_have_text("RUNNING")
        page.screenshot(path=tmp_path / "live-graph.png", full_page=True)
        assert errors == []
