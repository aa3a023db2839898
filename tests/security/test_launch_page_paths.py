"""The launch page names managed files by their path in the project, never by where the
server keeps them on its disk; such a path launches the store's file (real server)."""

from __future__ import annotations

import httpx
import pytest

from tests.server import RunningServer
from tests.web.launching import LAUNCH_PATH, MatrixServer, register_matrix

pytestmark = pytest.mark.slow
API = "/api/workflows/flytesnacks/development/forms.matrix.matrix"


@pytest.fixture(scope="module")
def matrix(server: RunningServer) -> MatrixServer:
    return register_matrix(server)


def test_a_relaunch_shows_project_paths_and_they_launch(matrix: MatrixServer) -> None:
    server_path = str(matrix.server.data_dir.resolve())
    inputs = {
        "run_name": "paths", "threads": 2, "reads": matrix.files["reads"], "trimming": {"adapter": "AGATC"},
        "samples": [{"sample": "S1", "fastq": matrix.files["s1"]}], "outdir": matrix.files["outdir"],
    }  # fmt: skip
    launched = httpx.post(matrix.server.url + API + "/executions", json={"inputs": inputs})
    assert launched.status_code == 201, launched.text
    page = httpx.get(matrix.server.url + LAUNCH_PATH, params={"relaunch": launched.json()["name"]})
    assert page.status_code == 200
    assert server_path not in page.text and "file://" not in page.text
    for name, shown in (("reads", "run1/reads.fastq.gz"), ("samples.0.fastq", "run1/s1.fq"), ("outdir.value", "run1")):
        assert f'name="{name}" value="{shown}"' in page.text, name

    posted = httpx.post(
        matrix.server.url + LAUNCH_PATH,
        data={"run_name": "by-path", "threads": "2", "reads": "run1/reads.fastq.gz", "trimming.adapter": "A",
              "samples.0.sample": "S1", "samples.0.fastq": "run1/s1.fq", "outdir.value": "run1"},
    )  # fmt: skip
    assert posted.status_code == 303, posted.text
    name = posted.headers["location"].rsplit("/", 1)[-1]
    execution = httpx.get(f"{matrix.server.url}/api/executions/flytesnacks/development/{name}").json()
    previews = {item["name"]: item["preview"] for item in execution["inputs"]}
    assert matrix.files["reads"].startswith(previews["reads"].rstrip("…"))  # the task gets the store's URI


def test_a_path_outside_the_project_is_not_found(matrix: MatrixServer) -> None:
    posted = httpx.post(
        matrix.server.url + LAUNCH_PATH,
        data={"run_name": "escape", "threads": "2", "reads": "../other/reads.fastq.gz", "trimming.adapter": "A",
              "samples.0.sample": "S1", "samples.0.fastq": "run1/s1.fq"},
    )  # fmt: skip
    assert posted.status_code == 422
    assert "no file &#39;../other/reads.fastq.gz&#39; in the file store" in posted.text
