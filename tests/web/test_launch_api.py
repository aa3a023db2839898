"""The launch JSON API and the server's own check of posted forms, against a real server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.server import RunningServer
from tests.web.launching import LAUNCH_PATH, MatrixServer, register_matrix

pytestmark = pytest.mark.slow
API = "/api/workflows/flytesnacks/development/forms.matrix.matrix"


@pytest.fixture(scope="module")
def matrix(server: RunningServer) -> MatrixServer:
    return register_matrix(server)


def _required(files: dict[str, str]) -> dict[str, object]:
    return {
        "run_name": "api-run", "threads": 2, "reads": files["reads"], "trimming": {"adapter": "AGATC"},
        "samples": [{"sample": "S1", "fastq": files["s1"]}, {"sample": "S2", "fastq": files["s2"], "replicate": 2}],
    }  # fmt: skip


def test_the_form_spec_is_a_json_schema_in_signature_order(matrix: MatrixServer) -> None:
    schema = httpx.get(matrix.server.url + API + "/form").json()
    assert schema["title"] == "Widget matrix"
    assert list(schema["properties"])[:4] == ["run_name", "threads", "samples", "reads"]
    assert schema["required"] == ["run_name", "threads", "samples", "reads", "trimming"]
    assert schema["properties"]["label"]["default"] == {"branch": 1, "value": "auto"}
    assert schema["properties"]["samples"]["x-widget"] == "samplesheet"
    assert [s["title"] for s in schema["x-sections"]] == ["", "Samples", "Settings", "Advanced"]


def test_json_inputs_launch_an_execution(matrix: MatrixServer) -> None:
    response = httpx.post(matrix.server.url + API + "/executions", json={"inputs": _required(matrix.files)})
    assert response.status_code == 201, response.text
    execution = response.json()
    assert (execution["phase"], execution["source"]) == ("QUEUED", "api")
    previews = {item["name"]: item["preview"] for item in execution["inputs"]}
    assert previews["run_name"] == '"api-run"' and previews["ratio"] == "0.5"
    fetched = httpx.get(f"{matrix.server.url}/api/executions/flytesnacks/development/{execution['name']}")
    assert fetched.json()["inputs"] == execution["inputs"]


def test_bad_json_inputs_get_every_error_and_record_nothing(matrix: MatrixServer) -> None:
    before = len(httpx.get(matrix.server.url + "/api/executions").json())
    inputs = _required(matrix.files) | {"threads": "many", "reads": matrix.files["table"], "surprise": 1}
    response = httpx.post(matrix.server.url + API + "/executions", json={"inputs": inputs})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "threads": "'many' is not a number (write it like 12, -3.5 or 1e6)",
        "reads": "'table.csv' is not a fastq file",
        "surprise": "This field is not part of the workflow's inputs.",
    }
    assert len(httpx.get(matrix.server.url + "/api/executions").json()) == before


def test_a_direct_post_of_bad_form_values_gets_the_form_back_with_errors(matrix: MatrixServer) -> None:
    """The browser is never trusted: the server checks a posted form by the same rules."""
    before = len(httpx.get(matrix.server.url + "/api/executions").json())
    response = httpx.post(
        matrix.server.url + LAUNCH_PATH,
        data={"run_name": "Not Valid", "threads": "2", "reads": matrix.files["reads"], "trimming.adapter": "A",
              "samples.0.sample": "S1", "samples.0.fastq": matrix.files["s1"], "limits.min_quality": "61"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "use lowercase letters, digits and dashes" in response.text
    assert "Input should be less than or equal to 60" in response.text
    assert 'value="Not Valid"' in response.text  # what was typed is kept
    assert len(httpx.get(matrix.server.url + "/api/executions").json()) == before


def test_a_valid_post_redirects_to_the_queued_execution(matrix: MatrixServer, tmp_path: Path) -> None:
    response = httpx.post(
        matrix.server.url + LAUNCH_PATH,
        data={"run_name": "posted", "threads": "2", "reads": matrix.files["reads"], "trimming.adapter": "A",
              "samples.0.sample": "S1", "samples.0.fastq": matrix.files["s1"]},
    )  # fmt: skip
    assert response.status_code == 303
    page = httpx.get(matrix.server.url + response.headers["location"])
    assert "QUEUED" in page.text and "forms.matrix.matrix" in page.text


def test_an_unknown_workflow_is_a_404(matrix: MatrixServer) -> None:
    response = httpx.get(matrix.server.url + "/api/workflows/flytesnacks/development/no.such.wf/form")
    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"
    assert "is not registered" in response.json()["message"]
