"""Secrets never logged, end to end on a real `latchlike serve`: a workflow registered by
the real `pyflyte register` asks for two secrets; launching it is refused (HTTP 400, gRPC
INVALID_ARGUMENT) until the workspace's admin sets them over the API; then its tasks read
them, and neither the server's log, the task log pages, the execution's JSON and page, nor
any file under the data directory (the database, the store, the logs) holds a value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.service import admin_pb2_grpc

from tests.accounts.vault import CERT, SECRETS_PROJECT, TOKEN, digest, holds_secret
from tests.engine.running import launch_over_http, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
WORKFLOW = "vault.tasks.uses_secrets"
SECRETS = "/api/workspaces/default/secrets"


@pytest.fixture
def vault_server(tmp_path: Path, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path / "data", builtins=False)
    try:
        registered = pyflyte_register(running, SECRETS_PROJECT, package="vault")
        assert registered.returncode == 0, registered.stdout + registered.stderr
        yield running
    finally:
        running.stop()


def _grpc_launch(server: RunningServer) -> grpc.RpcError:
    """CreateExecution as `pyflyte run --remote` sends it; the error it answers."""
    version = httpx.get(f"{server.url}/api/workflows/flytesnacks/development/{WORKFLOW}").json()["version"]
    inputs = literals_pb2.LiteralMap()
    inputs.literals["salt"].scalar.primitive.string_value = "pepper"
    plan = identifier_pb2.Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, project="flytesnacks",
                                     domain="development", name=WORKFLOW, version=version)  # fmt: skip
    spec = execution_pb2.ExecutionSpec(launch_plan=plan)
    request = execution_pb2.ExecutionCreateRequest(project="flytesnacks", domain="development", spec=spec,
                                                   inputs=inputs)  # fmt: skip
    with grpc.insecure_channel(server.grpc_endpoint) as channel, pytest.raises(grpc.RpcError) as refused:
        admin_pb2_grpc.AdminServiceStub(channel).CreateExecution(request, timeout=30)
    return refused.value


def test_a_task_reads_its_workspaces_secrets_and_nothing_shows_or_keeps_them(vault_server: RunningServer) -> None:
    server = vault_server
    launches = f"{server.url}/api/workflows/flytesnacks/development/{WORKFLOW}/executions"
    refused = httpx.post(launches, json={"inputs": {"salt": "pepper"}})
    assert refused.status_code == 400 and "secret(s) lab-api/cert, lab-api/token" in refused.json()["message"]
    error = _grpc_launch(server)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "lab-api/cert, lab-api/token" in str(error.details())

    for key, value in (("token", TOKEN), ("cert", CERT)):
        answer = httpx.put(f"{server.url}{SECRETS}/lab-api/{key}", json={"value": value})
        assert answer.status_code == 200, answer.text
    name = launch_over_http(server, WORKFLOW, {"salt": "pepper"})
    execution = wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    shown = httpx.get(f"{server.url}/api/executions/flytesnacks/development/{name}").text
    assert f"env:{digest('pepper', TOKEN)}" in shown and f"file:{digest('pepper', CERT)}" in shown

    page = f"{server.url}/executions/flytesnacks/development/{name}"
    seen = [shown, httpx.get(page).text, httpx.get(f"{server.url}{SECRETS}").text, server.log()]
    seen += [httpx.get(f"{page}/nodes/{node['node_id']}/1/log").text for node in execution["nodes"]]
    assert not [text for text in seen if holds_secret(text.encode())]
    files = [path for path in server.data_dir.rglob("*") if path.is_file()]
    assert any(path.name == "latchlike.db" for path in files) or not server.database_url.startswith("sqlite")
    assert not [path for path in files if holds_secret(path.read_bytes())]
