"""Result pages that never break: any output previews, and a directory output downloads
as one tar of its files."""

from __future__ import annotations

import io
import tarfile

import httpx
import pytest

from tests.engine.running import launch_over_http, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow

EXECUTIONS = "flytesnacks/development"


@pytest.fixture(scope="module")
def finished(server: RunningServer) -> tuple[RunningServer, str]:
    result = pyflyte_register(server, FIXTURES / "live_project", package="live")
    assert result.returncode == 0, result.stdout + result.stderr
    name = launch_over_http(server, "live.results.results", {"n": 3})
    wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    return server, name


def test_a_dict_with_integer_keys_shows_on_the_page_and_in_json(finished: tuple[RunningServer, str]) -> None:
    server, name = finished
    detail = httpx.get(f"{server.url}/api/executions/{EXECUTIONS}/{name}")
    assert detail.status_code == 200, detail.text
    outputs = {o["name"]: o["preview"] for o in detail.json()["outputs"]}
    assert outputs["o0"] == '{"0": "sample 0", "1": "sample 1", "2": "sample 2"}'
    page = httpx.get(f"{server.url}/executions/{EXECUTIONS}/{name}")
    assert page.status_code == 200
    assert "sample 2" in page.text


def test_a_directory_output_downloads_as_one_tar(finished: tuple[RunningServer, str]) -> None:
    server, name = finished
    files = httpx.get(f"{server.url}/api/executions/{EXECUTIONS}/{name}").json()["files"]
    (folder,) = (f for f in files if f["direction"] == "output")  # the only file the execution wrote
    assert folder["in_store"]
    response = httpx.get(f"{server.url}/executions/{EXECUTIONS}/{name}/files/{folder['id']}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-tar"
    root = folder["uri"].rstrip("/").rsplit("/", 1)[-1]
    assert f'filename="{root}.tar"' in response.headers["content-disposition"]
    with tarfile.open(fileobj=io.BytesIO(response.content)) as archive:
        contents = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]
    assert contents == {
        f"{root}/plots/p0.txt": b"plot 0\n",
        f"{root}/plots/p1.txt": b"plot 1\n" * 2,
        f"{root}/plots/p2.txt": b"plot 2\n" * 3,
        f"{root}/summary.txt": b"all good\n",
    }
