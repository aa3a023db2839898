"""`pyflyte run --remote` of a single task makes a `.flytegen.<task>` workflow: the platform's
own, so the workflow list leaves it out (as FlyteAdmin's console does), while the run it made
lists and links like any other."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.pyflyte import pyflyte
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow
GENERATED = ".flytegen.dataio.reads.triple"


def test_a_single_task_runs_workflow_is_hidden_from_lists_but_its_execution_shows(server: RunningServer) -> None:
    result = pyflyte(server, FIXTURES / "client_project", "run", "--remote", "dataio/reads.py", "triple", "--x", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(r"/executions/([a-z0-9]+)", result.stdout)
    assert found, result.stdout
    name = found.group(1)
    assert httpx.get(f"{server.url}/api/executions/flytesnacks/development/{name}").json()["workflow"] == GENERATED

    listed = httpx.get(f"{server.url}/api/workflows").json()
    assert GENERATED not in [w["name"] for w in listed]
    everything = httpx.get(f"{server.url}/api/workflows", params={"generated": "true"}).json()
    assert GENERATED in [w["name"] for w in everything]
    page = httpx.get(f"{server.url}/workflows")
    assert page.status_code == 200 and ".flytegen" not in page.text

    executions = httpx.get(f"{server.url}/executions")
    assert f"/executions/flytesnacks/development/{name}" in executions.text
    execution = httpx.get(f"{server.url}/executions/flytesnacks/development/{name}")
    assert execution.status_code == 200
    link = re.search(r'href="(/workflows/[^"]+)" id="workflow-link"', execution.text)
    assert link, execution.text
    assert GENERATED in link.group(1)
    assert httpx.get(server.url + link.group(1).replace("&amp;", "&")).status_code == 200
