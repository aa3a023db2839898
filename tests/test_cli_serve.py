"""`latchlike serve` started as the README says: from a fresh folder, on its default settings
(data dir `./.latchlike`, a relative path; warm start on), runs the built-in workflow."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.server import REPO, START_TIMEOUT_SECONDS, free_port

HELLO = "/api/workflows/flytesnacks/development/workflows.hello.hello_world/executions"
ENDED = {"SUCCEEDED", "FAILED", "ABORTED"}


@dataclass(frozen=True)
class ReadmeServer:
    folder: Path
    url: str
    grpc_port: int
    output: Path


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadmeServer]:
    """Only the ports are set (other tests run at the same time); nothing else of latchlike's
    configuration is, so every default applies, relative data dir included."""
    folder = tmp_path_factory.mktemp("fresh-folder")
    http_port, grpc_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("LATCHLIKE_")}
    env |= {"LATCHLIKE_HTTP_PORT": str(http_port), "LATCHLIKE_GRPC_PORT": str(grpc_port),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}  # fmt: skip
    command = Path(sys.executable).with_name("latchlike")  # what scripts/serve runs
    output = folder.parent / f"{folder.name}.out"
    with output.open("wb") as out:
        process = subprocess.Popen([str(command), "serve"], cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    try:
        _wait_ready(process, url, output)
        yield ReadmeServer(folder, url, grpc_port, output)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen[bytes], url: str, output: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"latchlike serve exited with {process.returncode}:\n{output.read_text()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"latchlike serve did not become ready:\n{output.read_text()}")


@pytest.mark.slow
def test_the_builtin_workflow_runs_on_the_readme_setup(readme_server: ReadmeServer) -> None:
    launched = httpx.post(readme_server.url + HELLO, json={"inputs": {"name": "Ada", "times": 2}}, timeout=30)
    assert launched.status_code == 201, launched.text
    path = f"/api/executions/flytesnacks/development/{launched.json()['name']}"
    deadline = time.monotonic() + 120
    execution = launched.json()
    while execution["phase"] not in ENDED and time.monotonic() < deadline:
        time.sleep(0.5)
        execution = httpx.get(readme_server.url + path, timeout=10).json()
    assert execution["phase"] == "SUCCEEDED", execution["error"]
    assert [output["preview"] for output in execution["outputs"]] == ['["Hello, Ada!", "Hello, Ada!"]']
    assert (readme_server.folder / ".latchlike" / "latchlike.db").exists()  # the default data dir


@pytest.mark.slow
def test_serve_says_where_the_web_pages_and_the_pyflyte_endpoint_are(readme_server: ReadmeServer) -> None:
    printed = readme_server.output.read_text()
    assert f"web on {readme_server.url}" in printed
    assert f"pyflyte endpoint 127.0.0.1:{readme_server.grpc_port}" in printed
