"""gRPC launches against a real server: CreateExecution with another project's file is
INVALID_ARGUMENT naming the input (as the JSON launch refuses it), and who launched is the
server's own principal, never the `principal` a request claims."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import httpx
import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.service import admin_pb2_grpc

from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.store.local import LocalFileStore
from tests.pyflyte import pyflyte
from tests.samples import FIXTURES
from tests.security.test_readable_inputs import blob
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
VERSION = "security-v1"
COUNT_READS = "dataio.reads.count_reads"
READS = b"@r\nACGT\n+\nIIII\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})
    registered = pyflyte(running, FIXTURES / "client_project", "register", "--version", VERSION, "dataio")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    for project in ("flytesnacks", "other"):
        put = httpx.put(f"{running.url}/api/files/{project}/runs/reads.fastq", content=READS)
        assert put.status_code == 201, put.text
    yield running
    running.stop()


@pytest.fixture
def admin(server: RunningServer) -> Iterator[admin_pb2_grpc.AdminServiceStub]:
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        yield admin_pb2_grpc.AdminServiceStub(channel)


def _uri(server: RunningServer, project: str) -> str:
    return LocalFileStore(server.data_dir / "store").uri(f"files/{project}/runs/reads.fastq")


def _create(
    admin: admin_pb2_grpc.AdminServiceStub, uri: str, principal: str = ""
) -> execution_pb2.ExecutionCreateResponse:
    plan = identifier_pb2.Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, project="flytesnacks",
                                     domain="development", name=COUNT_READS, version=VERSION)  # fmt: skip
    spec = execution_pb2.ExecutionSpec(launch_plan=plan, metadata=execution_pb2.ExecutionMetadata(principal=principal))
    inputs = literals_pb2.LiteralMap(literals={"reads": blob(uri)})
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks", domain="development", spec=spec, inputs=inputs
    )
    return admin.CreateExecution(request, timeout=30)


def _executions(server: RunningServer) -> list[str]:
    return [e["name"] for e in httpx.get(server.url + "/api/executions").json()]


def test_create_execution_with_another_projects_file_is_refused(
    server: RunningServer, admin: admin_pb2_grpc.AdminServiceStub
) -> None:
    before = _executions(server)
    for uri in (_uri(server, "other"), "file:///etc/passwd"):
        with pytest.raises(grpc.RpcError) as refused:
            _create(admin, uri)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "input 'reads'" in (refused.value.details() or "")
    assert _executions(server) == before
    api = f"{server.url}/api/workflows/flytesnacks/development/{COUNT_READS}/executions"
    json_launch = httpx.post(api, json={"inputs": {"reads": _uri(server, "other")}})
    assert json_launch.status_code == 422 and "reads" in json_launch.json()["errors"]  # the same rule


def test_launched_by_is_the_servers_principal_not_the_requests(
    server: RunningServer, admin: admin_pb2_grpc.AdminServiceStub
) -> None:
    created = _create(admin, _uri(server, "flytesnacks"), principal="mallory")
    fetched = admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=created.id), timeout=30)
    assert fetched.spec.metadata.principal == LOCAL_PRINCIPAL != "mallory"
    page = httpx.get(f"{server.url}/executions/flytesnacks/development/{created.id.name}")
    assert f"by {LOCAL_PRINCIPAL}" in page.text and "mallory" not in page.text
