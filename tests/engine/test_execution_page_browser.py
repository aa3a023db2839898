"""The execution page in a real browser while the workflow runs: the graph, phases that
change without a reload, and a running task's log as it is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import browser_page, page_errors
from tests.engine.running import ENGINE_PROJECT, launch_over_http, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pipelines_server(server: RunningServer) -> RunningServer:
    result = pyflyte_register(server, ENGINE_PROJECT, package="pipelines")
    assert result.returncode == 0, result.stdout + result.stderr
    return server


@pytest.fixture
def page() -> Iterator[Page]:
    with browser_page(javascript=True) as opened:
        yield opened


def test_a_running_tasks_log_and_phase_show_live(pipelines_server: RunningServer, page: Page, tmp_path: Path) -> None:
    name = launch_over_http(pipelines_server, "pipelines.basic.talkative", {"lines": 10})
    wait_over_http(pipelines_server, name, lambda e: any(n["phase"] == "RUNNING" for n in e["nodes"]))
    page.goto(f"{pipelines_server.url}/executions/flytesnacks/development/{name}")
    expect(page.locator("#graph g[data-node='n0']")).to_contain_text("chatty")
    page.locator("#nodes tr[data-node='n0'] button.follow-log").click()
    expect(page.locator("#live-log")).to_contain_text("sequencing lane 1", timeout=10_000)
    expect(page.locator("#phase")).to_have_text("RUNNING")  # the log arrived while the task ran
    page.screenshot(path=tmp_path / "running.png", full_page=True)
    expect(page.locator("#phase")).to_have_text("SUCCEEDED", timeout=30_000)
    expect(page.locator("#graph g[data-node='n0']")).to_have_class("graph-node phase-succeeded")
    expect(page.locator("#outputs")).to_contain_text("10")


def test_a_map_task_and_a_sub_workflow_show_as_one_node_each(pipelines_server: RunningServer, page: Page) -> None:
    mapped = launch_over_http(pipelines_server, "pipelines.shapes.squares", {"xs": [1, 2, 3, 4, 5]})
    nested = launch_over_http(pipelines_server, "pipelines.shapes.nested", {"x": 1})
    for name in (mapped, nested):
        wait_over_http(pipelines_server, name, lambda e: e["phase"] == "SUCCEEDED")
    page.goto(f"{pipelines_server.url}/executions/flytesnacks/development/{mapped}")
    expect(page.locator("#graph g[data-node='n0']")).to_contain_text("5/5 items")
    expect(page.locator("#graph g[data-node='n0']")).to_contain_text("map square")
    expect(page.locator("#nodes tr[data-node='n0']")).to_contain_text("5 succeeded")
    expect(page.locator("#nodes tr[data-node]")).to_have_count(2)  # the items are counted, not listed
    page.goto(f"{pipelines_server.url}/executions/flytesnacks/development/{nested}")
    expect(page.locator("#graph g.graph-node")).to_have_count(2)
    expect(page.locator("#nodes tr[data-node]")).to_have_count(4)  # n0, its two tasks, n1
    expect(page.locator("#nodes tr[data-node='n0-0-n1']")).to_contain_text("pipelines.basic.double")


def test_a_node_log_and_the_execution_page_load_with_no_console_error(
    pipelines_server: RunningServer, page: Page
) -> None:
    """A plain-text log has no icon link, so Chromium asks for /favicon.ico; it must be there."""
    name = launch_over_http(pipelines_server, "pipelines.basic.talkative", {"lines": 3})
    wait_over_http(pipelines_server, name, lambda e: e["phase"] == "SUCCEEDED")
    errors = page_errors(page)
    execution = f"{pipelines_server.url}/executions/flytesnacks/development/{name}"
    page.goto(f"{execution}/nodes/n0/1/log", wait_until="networkidle")
    expect(page.locator("body")).to_contain_text("sequencing lane 1")
    page.goto(execution, wait_until="networkidle")
    expect(page.locator("#phase")).to_have_text("SUCCEEDED")
    assert errors == []
