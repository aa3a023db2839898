"""No RPC ever answers UNKNOWN: flytekit would start a browser login and hang."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from flyteidl.admin import common_pb2, execution_pb2, project_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc
from grpc import aio

from latchlike import errors
from latchlike.grpc.status import ErrorStatusInterceptor, status_for
from tests.server import RunningServer


def all_error_classes(cls: type[errors.LatchlikeError] = errors.LatchlikeError) -> list[type[errors.LatchlikeError]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in all_error_classes(child))]


@pytest.mark.parametrize("error_class", all_error_classes())
def test_every_error_has_a_specific_status(error_class: type[errors.LatchlikeError]) -> None:
    assert status_for(error_class("x")) not in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.OK)


def test_unexpected_exception_becomes_internal() -> None:
    async def scenario() -> grpc.StatusCode:
        async def explode(request: bytes, context: aio.ServicerContext) -> bytes:
            raise RuntimeError("boom")

        server = aio.server(interceptors=[ErrorStatusInterceptor()])
        handler = grpc.method_handlers_generic_handler(
            "test.Service", {"Explode": grpc.unary_unary_rpc_method_handler(explode)}
        )
        server.add_generic_rpc_handlers((handler,))
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                call = channel.unary_unary("/test.Service/Explode")
                with pytest.raises(aio.AioRpcError) as caught:
                    await call(b"", timeout=5)
                assert "Explode" in (caught.value.details() or "")
                return caught.value.code()
        finally:
            await server.stop(0)

    assert asyncio.run(scenario()) == grpc.StatusCode.INTERNAL


def call_admin(server: RunningServer, method: str, request: object) -> grpc.RpcError:
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            getattr(stub, method)(request, timeout=10)
    return caught.value


@pytest.mark.parametrize(
    ("method", "request_message", "code", "message"),
    [
        (
            "GetTask",
            common_pb2.ObjectGetRequest(
                id=identifier_pb2.Identifier(project="flytesnacks", domain="development", name="t")
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "missing its version",
        ),
        (
            "GetWorkflow",
            common_pb2.ObjectGetRequest(
                id=identifier_pb2.Identifier(project="flytesnacks", domain="development", name="nope", version="v1")
            ),
            grpc.StatusCode.NOT_FOUND,
            "workflow flytesnacks/development/nope@v1 is not registered",
        ),
        (
            "ListWorkflows",
            common_pb2.ResourceListRequest(
                id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"), filters="bad"
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "cannot read filter",
        ),
        (
            "ListNamedEntities",
            common_pb2.NamedEntityListRequest(resource_type=9, project="flytesnacks", domain="development"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "resource type 9",
        ),
        (
            "RegisterProject",
            project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="flytesnacks")),
            grpc.StatusCode.ALREADY_EXISTS,
            "already exists",
        ),
        (
            "CreateExecution",
            execution_pb2.ExecutionCreateRequest(project="flytesnacks", domain="development"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "runs a launch plan or a single task",
        ),
        (
            "GetExecution",
            execution_pb2.WorkflowExecutionGetRequest(
                id=identifier_pb2.WorkflowExecutionIdentifier(project="flytesnacks", domain="development", name="nope")
            ),
            grpc.StatusCode.NOT_FOUND,
            "no execution flytesnacks/development/nope",
        ),
        (
            "UpdateNamedEntity",
            common_pb2.NamedEntityUpdateRequest(),
            grpc.StatusCode.UNIMPLEMENTED,
            "UpdateNamedEntity",
        ),
    ],
)
def test_admin_errors_are_specific(
    server: RunningServer, method: str, request_message: object, code: grpc.StatusCode, message: str
) -> None:
    error = call_admin(server, method, request_message)
    assert error.code() == code  # type: ignore[attr-defined]
    assert message in error.details()  # type: ignore[attr-defined]


def test_projects_register_and_list(server: RunningServer) -> None:
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        stub.RegisterProject(
            project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="lab-a", name="Lab A")), timeout=10
        )
        listed = stub.ListProjects(project_pb2.ProjectListRequest(), timeout=10)
        domains = stub.GetDomains(project_pb2.GetDomainRequest(), timeout=10)
    assert {p.id for p in listed.projects} >= {"flytesnacks", "lab-a"}
    assert [d.id for d in domains.domains] == ["development", "staging", "production"]
