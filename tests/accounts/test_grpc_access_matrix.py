"""The gRPC access matrix: every method of every service the server registers, called by each
kind of caller on workspace A's project and on workspace B's, answers exactly as the rules
say; a method missing from `EXPECTED` fails, and no refused call changes anything."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import grpc
import pytest
from flyteidl.admin import project_pb2
from flyteidl.service import admin_pb2, admin_pb2_grpc, auth_pb2, dataproxy_pb2, signal_pb2
from google.protobuf import descriptor, message_factory
from google.protobuf.message import Message
from grpc import aio
from sqlalchemy import event, func, select

from latchlike.db import Base
from latchlike.executions.readable import PROJECT_ROOTS
from latchlike.grpc.server import build_grpc_server
from latchlike.platform import Platform
from latchlike.specs.tables import ProjectRow
from tests.accounts.fixtures import PROJECT_A, PROJECT_B, WORKSPACE_A, populate

SERVICES = (
    admin_pb2.DESCRIPTOR.services_by_name["AdminService"],
    dataproxy_pb2.DESCRIPTOR.services_by_name["DataProxyService"],
    signal_pb2.DESCRIPTOR.services_by_name["SignalService"],
    auth_pb2.DESCRIPTOR.services_by_name["AuthMetadataService"],
)
PUBLIC, SIGNED_IN, UNSUPPORTED, READ, WRITE, NEW_PROJECT = (
    "public", "signed-in", "unsupported", "read", "write", "new-project"
)  # fmt: skip
EXPECTED: dict[str, str] = {
    "GetOAuth2Metadata": PUBLIC, "GetPublicClientConfig": PUBLIC,
    "RegisterProject": NEW_PROJECT, "ListProjects": SIGNED_IN, "GetDomains": SIGNED_IN, "GetProject": READ,
    "CreateTask": WRITE, "CreateWorkflow": WRITE, "CreateLaunchPlan": WRITE, "UpdateLaunchPlan": WRITE,
    "GetTask": READ, "ListTaskIds": READ, "ListTasks": READ, "GetWorkflow": READ, "ListWorkflowIds": READ,
    "ListWorkflows": READ, "GetLaunchPlan": READ, "GetActiveLaunchPlan": READ, "ListActiveLaunchPlans": READ,
    "ListLaunchPlanIds": READ, "ListLaunchPlans": READ, "ListNamedEntities": READ,
    "CreateExecution": WRITE, "RelaunchExecution": WRITE, "RecoverExecution": WRITE, "TerminateExecution": WRITE,
    "GetExecution": READ, "GetExecutionData": READ, "ListExecutions": READ,
    "ListNodeExecutions": READ, "GetNodeExecution": READ, "GetNodeExecutionData": READ,
    "ListTaskExecutions": READ, "GetTaskExecution": READ, "GetTaskExecutionData": READ,
    "CreateUploadLocation": WRITE, "CreateDownloadLocation": READ, "CreateDownloadLink": READ, "GetData": READ,
    "GetOrCreateSignal": WRITE, "ListSignals": READ, "SetSignal": WRITE,
    **dict.fromkeys(
        ["UpdateProject", "GetNamedEntity", "UpdateNamedEntity", "GetDescriptionEntity", "ListDescriptionEntities",
         "UpdateExecution", "GetExecutionMetrics", "GetDynamicNodeWorkflow", "ListNodeExecutionsForTask",
         "CreateWorkflowEvent", "CreateNodeEvent", "CreateTaskEvent", "UpdateProjectDomainAttributes",
         "GetProjectDomainAttributes", "DeleteProjectDomainAttributes", "UpdateProjectAttributes",
         "GetProjectAttributes", "DeleteProjectAttributes", "UpdateWorkflowAttributes", "GetWorkflowAttributes",
         "DeleteWorkflowAttributes", "ListMatchableAttributes", "GetVersion"],
        UNSUPPORTED,
    ),
}  # fmt: skip
CALLERS = ("admin", "member", "viewer", "anonymous", "expired", "revoked")
ROLE_RANK = {"viewer": 0, "member": 1, "admin": 2}
REFUSALS = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)


def methods() -> Iterator[descriptor.MethodDescriptor]:
    for service in SERVICES:
        yield from service.methods


def request_for(method: descriptor.MethodDescriptor, project: str, store_uri: str) -> Message:
    """A request naming `project` wherever a project goes (nested ids included)."""
    request = message_factory.GetMessageClass(method.input_type)()
    if method.name == "GetProject":
        request.id = project
    elif method.name == "RegisterProject":
        request.project.id = f"new-{project}"
    else:
        _fill(request, project, store_uri, depth=0)
    return request


def _fill(message: Message, project: str, store_uri: str, *, depth: int) -> None:
    values = {"project": project, "domain": "development", "name": "x1", "version": "v1", "node_id": "n0",
              "signal_id": "s1", "filename": "f.txt", "filename_root": "root",
              "flyte_url": f"flyte://v1/{project}/development/x1/n0/i",
              "native_url": store_uri.format(project=project)}  # fmt: skip
    for field in message.DESCRIPTOR.fields:
        if field.is_repeated:
            continue
        if field.type == field.TYPE_STRING and field.name in values:
            setattr(message, field.name, values[field.name])
        elif field.type == field.TYPE_MESSAGE and depth < 4 and not field.message_type.full_name.startswith("google"):
            _fill(getattr(message, field.name), project, store_uri, depth=depth + 1)


def expected(rule: str, caller: str, project: str) -> str:
    """'ok' (past the access check), 'unauthenticated', 'not-found' or 'denied'."""
    if rule == PUBLIC:
        return "ok"
    if caller in ("anonymous", "expired", "revoked"):
        return "unauthenticated"
    if rule in (SIGNED_IN, UNSUPPORTED):
        return "ok"
    if rule == NEW_PROJECT:
        return "ok" if ROLE_RANK[caller] >= ROLE_RANK["member"] else "denied"
    if project == PROJECT_B:
        return "not-found"
    needed = "viewer" if rule == READ else "member"
    return "ok" if ROLE_RANK[caller] >= ROLE_RANK[needed] else "denied"


def outcome(code: grpc.StatusCode, details: str, project: str) -> str:
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return "unauthenticated"
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return "denied"
    if code == grpc.StatusCode.NOT_FOUND and f"project {project!r} does not exist" in details:
        return "not-found"
    return "ok"


def counts(platform: Platform) -> dict[str, int]:
    """Rows of every table, and objects in the store: what a refused call must leave alone."""
    with platform.db.session() as session:
        rows = {name: session.scalar(select(func.count()).select_from(table)) or 0
                for name, table in Base.metadata.tables.items()}  # fmt: skip
    return rows | {f"store {root}/": len(platform.store.list(f"{root}/")) for root in PROJECT_ROOTS}


Call = tuple[descriptor.MethodDescriptor, str, str, str | None]
"""(method, caller, project, token)."""


@dataclass(frozen=True)
class Served:
    platform: Platform
    tokens: dict[str, str]


def call_all(served: Served, calls: list[Call], *, accounts: bool = True) -> list[tuple[grpc.StatusCode, str]]:
    """Each call's status and details, from the real gRPC server (with accounts) on the platform."""
    platform = served.platform
    store_uri = platform.store.uri("files/{project}/x.txt")

    async def scenario() -> list[tuple[grpc.StatusCode, str]]:
        server, port = build_grpc_server(host="127.0.0.1", port=0, db=platform.db, store=platform.store,
                                         signer=platform.signer, upload_ttl=timedelta(hours=1),
                                         links=platform.download_links, public_url="http://127.0.0.1:1",
                                         accounts=accounts)  # fmt: skip
        await server.start()
        answers = []
        try:
            async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                for method, _, project, token in calls:
                    path = f"/{method.containing_service.full_name}/{method.name}"
                    call = channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString())
                    metadata = (("authorization", f"Bearer {token}"),) if token else ()
                    try:
                        await call(request_for(method, project, store_uri), metadata=metadata, timeout=20)
                    except aio.AioRpcError as error:
                        answers.append((error.code(), error.details() or ""))
                    else:
                        answers.append((grpc.StatusCode.OK, ""))
        finally:
            await server.stop(0)
        return answers

    return asyncio.run(scenario())


@pytest.fixture
def served(platform: Platform) -> Served:
    """The test's platform, seeded with two workspaces, their users and tokens."""
    return Served(platform, populate(platform.db).tokens)


def test_every_registered_method_has_an_expectation() -> None:
    assert {m.name for m in methods()} == set(EXPECTED)


def test_each_caller_on_each_method_answers_as_the_rules_say(served: Served, platform: Platform) -> None:
    calls = [(method, caller, project, None if caller == "anonymous" else served.tokens[caller])
             for method in methods() for caller in CALLERS for project in (PROJECT_A, PROJECT_B)]  # fmt: skip
    wanted = [expected(EXPECTED[m.name], caller, project) for m, caller, project, _ in calls]
    refused = [call for call, want in zip(calls, wanted, strict=True) if want != "ok"]
    allowed = [call for call, want in zip(calls, wanted, strict=True) if want == "ok"]

    before = counts(platform)
    refused_answers = call_all(served, refused)
    assert counts(platform) == before, "a refused call changed something"
    answers = dict(zip(map(id, refused), refused_answers, strict=True))
    answers |= dict(zip(map(id, allowed), call_all(served, allowed), strict=True))

    wrong = []
    for call, want in zip(calls, wanted, strict=True):
        method, caller, project, _ = call
        code, details = answers[id(call)]
        got = outcome(code, details, project)
        if got != want or code == grpc.StatusCode.UNKNOWN:
            wrong.append(f"{method.name} by {caller} on {project}: wanted {want}, got {code.name} {details!r}")
        if EXPECTED[method.name] == UNSUPPORTED and want == "ok" and code != grpc.StatusCode.UNIMPLEMENTED:
            wrong.append(f"{method.name} by {caller}: wanted UNIMPLEMENTED, got {code.name}")
    assert wrong == []

    # An allowed RegisterProject creates the project in the caller's workspace.
    with platform.db.session() as session:
        created = {row.id: row.workspace_id for row in session.scalars(select(ProjectRow))}
    assert created[f"new-{PROJECT_A}"] == WORKSPACE_A


def test_anonymous_refusal_says_how_to_authenticate(served: Served) -> None:
    method = admin_pb2.DESCRIPTOR.services_by_name["AdminService"].methods_by_name["ListProjects"]
    [(code, details)] = call_all(served, [(method, "anonymous", PROJECT_A, None)])
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert "latchlike config flytekit --token" in details


def test_local_mode_reads_no_principal_and_shows_everything(served: Served) -> None:
    """Without accounts every caller is the local admin: no token is read (not even a bad
    one), no database is touched to decide, every workspace's project is listed."""
    admin = admin_pb2.DESCRIPTOR.services_by_name["AdminService"]
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(served.platform.db.engine, "before_cursor_execute", count)
    try:
        [(code, _)] = call_all(served, [(admin.methods_by_name["GetDomains"], "x", PROJECT_A, "junk")], accounts=False)
        assert (code, statements) == (grpc.StatusCode.OK, [])
        [(code, _)] = call_all(served, [(admin.methods_by_name["GetDomains"], "x", PROJECT_A, "llt_0a1b.unknown")])
        assert code == grpc.StatusCode.UNAUTHENTICATED and statements  # accounts: the token is looked up
    finally:
        event.remove(served.platform.db.engine, "before_cursor_execute", count)

    async def list_projects() -> set[str]:
        platform = served.platform
        server, port = build_grpc_server(host="127.0.0.1", port=0, db=platform.db, store=platform.store,
                                         signer=platform.signer, upload_ttl=timedelta(hours=1),
                                         links=platform.download_links)  # fmt: skip
        await server.start()
        try:
            async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                found = await admin_pb2_grpc.AdminServiceStub(channel).ListProjects(project_pb2.ProjectListRequest())
        finally:
            await server.stop(0)
        return {project.id for project in found.projects}

    assert {PROJECT_A, PROJECT_B} <= asyncio.run(list_projects())
