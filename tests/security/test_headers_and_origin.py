"""Security headers on every response, sandboxed user files, and cross-site state-changing
requests refused, against a real server (engine off: nothing must run, only be recorded)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from latchlike.web.security import CONTENT_SECURITY_POLICY, cross_origin_refusal, download_headers
from tests.server import RunningServer, start_server

HELLO = "/workflows/flytesnacks/development/workflows.hello.hello_world"
EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "same-origin",
}
OWN = {"http://127.0.0.1:8089"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})
    yield running
    running.stop()


def _executions(server: RunningServer) -> list[str]:
    return [e["name"] for e in httpx.get(server.url + "/api/executions").json()]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/workflows"),
        ("GET", HELLO + "/launch"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/api/executions"),
        ("GET", "/static/style.css"),
        ("GET", "/static/ui_gen/forms.js"),
        ("GET", "/no/such/page"),
        ("POST", "/api/workflows/flytesnacks/development/nope/executions"),
    ],
)
def test_every_response_carries_the_security_headers(server: RunningServer, method: str, path: str) -> None:
    response = httpx.request(method, server.url + path, json={} if method == "POST" else None)
    assert {name: response.headers.get(name) for name in EXPECTED} == EXPECTED, (response.status_code, path)


@pytest.mark.slow
def test_managed_files_download_as_sandboxed_attachments(server: RunningServer) -> None:
    page = b"<html><script>alert(document.domain)</script></html>"
    assert httpx.put(server.url + "/api/files/flytesnacks/x/evil.html", content=page).status_code == 201
    response = httpx.get(server.url + "/api/files/flytesnacks/x/evil.html?download=1")
    assert response.content == page
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers.get_list("content-security-policy") == ["sandbox"]  # its own policy alone
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.slow
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Referer": "http://evil.example/page.html"},
    ],
)
def test_a_cross_site_launch_is_refused_and_records_nothing(server: RunningServer, headers: dict[str, str]) -> None:
    before = _executions(server)
    form = httpx.post(server.url + HELLO + "/launch", data={"name": "x"}, headers={**headers, "Accept": "text/html"})
    assert form.status_code == 403
    assert "text/html" in form.headers["content-type"] and "cross-site request forgery" in form.text
    api = httpx.post(server.url + "/api" + HELLO + "/executions", json={"inputs": {}}, headers=headers)
    assert api.status_code == 403
    assert api.json()["error"] == "PermissionDenied" and "not from this server's own pages" in api.json()["message"]
    deleted = httpx.delete(server.url + "/api/files/flytesnacks/x/evil.html", headers=headers)
    assert deleted.status_code == 403
    assert _executions(server) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, scripts, pyflyte
        {"Sec-Fetch-Site": "same-origin"},
        {"Referer": "{url}/workflows"},
        {"Origin": "{url}", "Sec-Fetch-Site": "same-origin"},
    ],
)
def test_same_origin_and_non_browser_launches_pass(server: RunningServer, headers: dict[str, str]) -> None:
    sent = {name: value.format(url=server.url) for name, value in headers.items()}
    response = httpx.post(server.url + "/api" + HELLO + "/executions", json={"inputs": {}}, headers=sent)
    assert response.status_code == 201, response.text
    assert response.json()["name"] in _executions(server)


def test_origin_rule() -> None:
    assert cross_origin_refusal("GET", {"origin": "http://evil.example"}, OWN) is None
    assert cross_origin_refusal("POST", {"origin": "http://127.0.0.1:8089"}, OWN) is None
    assert cross_origin_refusal("POST", {"origin": "HTTP://127.0.0.1:8089"}, OWN) is None
    assert cross_origin_refusal("post", {"origin": "http://127.0.0.1:8090"}, OWN)
    assert cross_origin_refusal("PUT", {"origin": "https://127.0.0.1:8089"}, OWN)
    assert cross_origin_refusal("PATCH", {"origin": "garbage"}, OWN)
    assert cross_origin_refusal("DELETE", {"sec-fetch-site": "cross-site", "referer": "http://127.0.0.1:8089/"}, OWN)
    assert cross_origin_refusal("POST", {"sec-fetch-site": "none"}, OWN) is None
    assert cross_origin_refusal("POST", {"referer": "http://127.0.0.1:8089/x?y"}, OWN) is None
    assert cross_origin_refusal("POST", {"referer": "http://127.0.0.1.evil.example/"}, OWN)
    assert cross_origin_refusal("POST", {}, OWN) is None
    assert cross_origin_refusal("POST", {"origin": "https://h.example"}, {"https://h.example"}) is None
    assert cross_origin_refusal("POST", {"origin": "https://h.example:443"}, {"https://h.example"}) is None


def test_download_headers() -> None:
    assert download_headers("a b.html")["Content-Disposition"].startswith('attachment; filename="a b.html";')
    assert download_headers("é.png", "image/png")["Content-Disposition"].startswith('inline; filename="_.png";')
    assert download_headers("r.html", "text/html")["Content-Security-Policy"] == "sandbox"
