"""Chromium: a page of another origin (a second loopback server) that auto-submits a form
to our launch URL is refused, and nothing is launched; our own pages run under the CSP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.browser import browser_page
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
HELLO = "/workflows/flytesnacks/development/workflows.hello.hello_world"
EVIL_HOST = "127.0.0.2"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})
    yield running
    running.stop()


@pytest.fixture
def evil_page(server: RunningServer) -> Iterator[str]:
    """Another site's page: it posts a launch to our server as soon as it loads."""
    page = f"""<!doctype html><title>cute cats</title>
<form id="f" method="post" action="{server.url}{HELLO}/launch"><input name="name" value="pwned"></form>
<script>document.getElementById("f").submit();</script>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    other = ThreadingHTTPServer((EVIL_HOST, 0), Handler)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    yield f"http://{EVIL_HOST}:{other.server_address[1]}/"
    other.shutdown()
    other.server_close()


def _executions(server: RunningServer) -> list[str]:
    return [e["name"] for e in httpx.get(server.url + "/api/executions").json()]


def test_a_cross_site_form_post_is_refused_and_launches_nothing(server: RunningServer, evil_page: str) -> None:
    before = _executions(server)
    with browser_page(expected_errors={"403": "the refused cross-site POST answers 403"}) as page:
        page.goto(evil_page)
        page.wait_for_url(f"{server.url}{HELLO}/launch")
        page.get_by_text("cross-site request forgery").wait_for()
        assert page.title() != "cute cats"
    assert _executions(server) == before


def test_the_same_form_posted_from_our_own_page_launches(server: RunningServer) -> None:
    before = _executions(server)
    with browser_page() as page:
        page.goto(server.url + HELLO + "/launch")
        page.get_by_role("button", name="Launch").click()
        page.locator("#phase").wait_for()
    assert len(_executions(server)) == len(before) + 1


def test_swagger_ui_runs_under_the_csp(server: RunningServer) -> None:
    with browser_page() as page:
        page.goto(server.url + "/docs")
        page.get_by_text("/api/executions").first.wait_for()
