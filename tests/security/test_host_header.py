"""DNS rebinding against a server without accounts: a page of evil.example whose name resolves
to 127.0.0.1 sends `Host: evil.example:<port>` (and a matching Origin). It is refused, reading
and changing alike; this machine's names and the public URL's host are answered."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from latchlike.web.hosts import foreign_host_refusal, is_loopback_name
from tests.server import RunningServer, free_port, start_server

HELLO = "/workflows/flytesnacks/development/workflows.hello.hello_world"
PUBLIC_HOST = "lab-box.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    port = free_port()  # the public URL's port: any, only its host is compared
    env = {"LATCHLIKE_RUN_ENGINE": "false", "LATCHLIKE_PUBLIC_URL": f"http://{PUBLIC_HOST}:{port}"}
    running = start_server(tmp_path_factory.mktemp("hosts") / "data", env=env)
    yield running
    running.stop()


def _executions(server: RunningServer) -> list[str]:
    return [e["name"] for e in httpx.get(server.url + "/api/executions", timeout=30).json()]


@pytest.mark.slow
def test_a_rebound_page_can_neither_read_nor_launch(server: RunningServer) -> None:
    evil = f"evil.example:{server.http_port}"
    read = httpx.get(server.url + "/api/executions", headers={"Host": evil}, timeout=30)
    assert read.status_code == 400 and "DNS rebinding" in read.json()["message"], read.text
    page = httpx.get(server.url + "/workflows", headers={"Host": evil, "Accept": "text/html"}, timeout=30)
    assert page.status_code == 400 and "evil.example" in page.text and "hello_world" not in page.text
    before = _executions(server)
    launch = httpx.post(
        server.url + HELLO + "/launch",
        data={"name": "x"},
        headers={"Host": evil, "Origin": f"http://{evil}", "Accept": "text/html"},
        timeout=30,
    )
    assert launch.status_code == 400
    assert _executions(server) == before


@pytest.mark.slow
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "app.localhost", PUBLIC_HOST])
def test_this_machines_names_and_the_public_host_are_answered(server: RunningServer, host: str) -> None:
    answer = httpx.get(server.url + "/api/executions", headers={"Host": f"{host}:{server.http_port}"}, timeout=30)
    assert answer.status_code == 200, answer.text


def test_the_host_rule() -> None:
    assert foreign_host_refusal(None) is None and foreign_host_refusal("LOCALHOST:8080") is None
    assert foreign_host_refusal("127.0.0.5") is None and foreign_host_refusal("[::1]:80") is None
    assert foreign_host_refusal("lab.example", "lab.example") is None
    for host in ("evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io", "[::2]:80", "0.0.0.0:8080"):
        assert foreign_host_refusal(host, "lab.example"), host
    assert is_loopback_name("localhost.") and not is_loopback_name("mylocalhost")
