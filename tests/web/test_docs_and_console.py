"""The nav's "API" link works offline, and the console links pyflyte prints open our pages."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx
import pytest
import yaml
from flytekit.configuration import Config
from flytekit.models.core.identifier import WorkflowExecutionIdentifier
from flytekit.remote import FlyteRemote
from playwright.sync_api import Request, Route, expect

from tests.browser import browser_page
from tests.server import RunningServer

pytestmark = pytest.mark.slow
HELLO = "/api/workflows/flytesnacks/development/workflows.hello.hello_world/executions"


def test_the_api_docs_render_with_every_other_host_unreachable(server: RunningServer) -> None:
    refused: list[str] = []
    errors: list[str] = []

    def loopback_only(route: Route, request: Request) -> None:
        if urlparse(request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            refused.append(request.url)
            route.abort()

    with browser_page() as page:
        page.route("**/*", loopback_only)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server.url}/workflows")
        page.get_by_role("link", name="API").click()
        launch = page.locator(".opblock").filter(has_text="/api/workflows/{project}/{domain}/{name}/executions")
        expect(launch).to_be_visible()
        expect(page.locator(".opblock").filter(has_text="/api/health")).to_be_visible()
    assert refused == []
    assert errors == []


def test_the_console_link_pyflyte_prints_opens_the_execution_page(server: RunningServer) -> None:
    config_path = server.flytekit_config()
    config = yaml.safe_load(config_path.read_text())
    assert config["console"]["endpoint"] == server.url
    assert config["admin"]["endpoint"] == server.grpc_endpoint
    launched = httpx.post(server.url + HELLO, json={"inputs": {}}, timeout=30)
    assert launched.status_code == 201, launched.text
    name = launched.json()["name"]
    # The very link flytekit makes from that config (`pyflyte run --remote` prints it).
    remote = FlyteRemote(Config.auto(config_file=str(config_path)))
    link = remote.generate_console_url(WorkflowExecutionIdentifier("flytesnacks", "development", name))
    assert link == f"{server.url}/console/projects/flytesnacks/domains/development/executions/{name}"
    redirect = httpx.get(link, timeout=10)
    assert redirect.status_code in (302, 307)
    assert redirect.headers["location"] == f"/executions/flytesnacks/development/{name}"
    page = httpx.get(link, follow_redirects=True, timeout=10)
    assert page.status_code == 200
    assert name in page.text and "workflows.hello.hello_world" in page.text
