"""The real pyflyte against a server with accounts: with a token from `latchlike config flytekit
--token` it registers and runs; with no auth configured, or a bad, expired or revoked token,
it fails within seconds saying what to do (never UNKNOWN, a browser prompt or a hang)."""

from __future__ import annotations

import base64
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2, types_pb2
from flyteidl.service import admin_pb2_grpc
from sqlalchemy import select

from latchlike.accounts.roles import Role
from latchlike.db import Database
from latchlike.executions.tables import ExecutionRow
from latchlike.specs.service import BUILT_IN, GENERATED_PREFIX
from latchlike.specs.tables import EntityRow
from tests.accounts.fixtures import PROJECT_A, PROJECT_B, accounts_server, email_of, token_config
from tests.pyflyte import PYFLYTE
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow

CLIENT_PROJECT = FIXTURES / "client_project"
FAIL_FAST_SECONDS = 20
WHAT_TO_DO = "latchlike config flytekit --token"


@pytest.fixture(scope="module")
def accounts(
    tmp_path_factory: pytest.TempPathFactory, database: str
) -> Iterator[tuple[RunningServer, dict[str, str], Path]]:
    home = tmp_path_factory.mktemp("home")
    with accounts_server(tmp_path_factory.mktemp("server") / "data") as (server, people):
        yield server, people.tokens, home


def run_pyflyte(config: Path, home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """pyflyte in the client project, with a home of its own (no keyring, no ~/.flyte)."""
    started = time.monotonic()
    result = subprocess.run([PYFLYTE, "--config", str(config), *args], cwd=CLIENT_PROJECT, capture_output=True,
                            text=True, timeout=90, env={**os.environ, "HOME": str(home)})  # fmt: skip
    return result, time.monotonic() - started


def executions(server: RunningServer) -> list[ExecutionRow]:
    db = Database(server.database_url)
    try:
        with db.session() as session:
            rows = list(session.scalars(select(ExecutionRow)))
            session.expunge_all()
            return rows
    finally:
        db.dispose()


def registrants(server: RunningServer, project: str) -> dict[str, bool]:
    """Who registered the project's tasks, workflows and launch plans → whether all that
    they registered are the server's generated one-task workflows."""
    db = Database(server.database_url)
    try:
        with db.session() as session:
            rows = session.execute(select(EntityRow.registered_by, EntityRow.name).where(EntityRow.project == project))
            found: dict[str, bool] = {}
            for by, name in rows:
                found[by] = found.get(by, True) and name.startswith(GENERATED_PREFIX)
            return found
    finally:
        db.dispose()


def test_register_and_run_remote_with_a_token(accounts: tuple[RunningServer, dict[str, str], Path]) -> None:
    server, tokens, home = accounts
    config = token_config(server, tokens["member"], home=home)
    assert tokens["member"].split(".", 1)[1] not in config.read_text()

    registered, _ = run_pyflyte(config, home, "register", "-p", PROJECT_A, "--version", "v1", "dataio")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    ran, _ = run_pyflyte(config, home, "run", "--remote", "-p", PROJECT_A, "dataio/reads.py", "triple", "--x", "5")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    [execution] = [row for row in executions(server) if row.workflow.endswith("triple")]
    assert (execution.project, execution.launched_by) == (PROJECT_A, email_of(Role.MEMBER))
    # What pyflyte registered is the member's; the one-task workflow the server made to run
    # `triple` alone is the server's own.
    assert registrants(server, PROJECT_A) == {email_of(Role.MEMBER): False, BUILT_IN: True}


@pytest.mark.parametrize("who", ["none", "expired", "revoked", "wrong-secret"])
def test_without_a_good_token_pyflyte_fails_fast_saying_what_to_do(
    accounts: tuple[RunningServer, dict[str, str], Path], who: str
) -> None:
    server, tokens, home = accounts
    token = {"none": None, "wrong-secret": tokens["member"] + "x"}.get(who) or tokens.get(who)
    config = token_config(server, token, home=home)
    for args in (("register", "-p", PROJECT_A, "dataio"),
                 ("run", "--remote", "-p", PROJECT_A, "dataio/reads.py", "triple", "--x", "5")):  # fmt: skip
        result, seconds = run_pyflyte(config, home, *args)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert seconds < FAIL_FAST_SECONDS, output
        assert WHAT_TO_DO in " ".join(output.split()), output
        assert "StatusCode.UNKNOWN" not in output and "open the following link" not in output


def test_a_viewer_cannot_register_and_a_foreign_member_cannot_see(
    accounts: tuple[RunningServer, dict[str, str], Path],
) -> None:
    server, tokens, home = accounts
    for who, status in (("viewer", "PERMISSION_DENIED"), ("outsider", "NOT_FOUND")):
        config = token_config(server, tokens[who], home=home)
        result, seconds = run_pyflyte(config, home, "register", "-p", PROJECT_A, "--version", "v2", "dataio")
        output = result.stdout + result.stderr
        assert result.returncode != 0 and seconds < FAIL_FAST_SECONDS, output
        assert status in output, output


def _launch(server: RunningServer, token: str, project: str, uri: str) -> grpc.RpcError | str:
    """CreateExecution of `count_lines` (registered by the first test) with `reads` at `uri`,
    claiming another principal; the new execution's name, or the refusal."""
    blob_type = types_pb2.BlobType(dimensionality=types_pb2.BlobType.SINGLE)
    reads = literals_pb2.Literal(scalar=literals_pb2.Scalar(
        blob=literals_pb2.Blob(uri=uri, metadata=literals_pb2.BlobMetadata(type=blob_type))))  # fmt: skip
    task = identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, project=project, domain="development",
                                     name="dataio.reads.count_lines", version="v1")  # fmt: skip
    claimed = execution_pb2.ExecutionMetadata(principal="mallory")
    request = execution_pb2.ExecutionCreateRequest(
        project=project, domain="development", spec=execution_pb2.ExecutionSpec(launch_plan=task, metadata=claimed),
        inputs=literals_pb2.LiteralMap(literals={"reads": reads}),
    )  # fmt: skip
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        try:
            created = admin_pb2_grpc.AdminServiceStub(channel).CreateExecution(
                request, metadata=(("authorization", f"Bearer {token}"),), timeout=30
            )
        except grpc.RpcError as error:
            return error
    return str(created.id.name)


def test_launches_over_grpc_with_tokens(accounts: tuple[RunningServer, dict[str, str], Path]) -> None:
    """A launch in A may read A's files only; `launched_by` is the token's owner, whatever the
    request claims; a viewer or a member of B cannot launch in A."""
    server, tokens, _ = accounts
    store = server.data_dir / "store"
    for project in (PROJECT_A, PROJECT_B):
        (store / "files" / project).mkdir(parents=True, exist_ok=True)
        (store / "files" / project / "reads.txt").write_text("a\nb\n")
    mine, theirs = (str(store / "files" / p / "reads.txt") for p in (PROJECT_A, PROJECT_B))
    before = len(executions(server))

    refused = _launch(server, tokens["member"], PROJECT_A, theirs)
    assert isinstance(refused, grpc.RpcError) and refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f"is not in project {PROJECT_A!r}" in str(refused.details())
    for who, code in (("viewer", grpc.StatusCode.PERMISSION_DENIED), ("outsider", grpc.StatusCode.NOT_FOUND),
                      ("revoked", grpc.StatusCode.UNAUTHENTICATED)):  # fmt: skip
        answer = _launch(server, tokens[who], PROJECT_A, mine)
        assert isinstance(answer, grpc.RpcError) and answer.code() == code, (who, answer)
    assert len(executions(server)) == before

    name = _launch(server, tokens["member"], PROJECT_A, mine)
    assert isinstance(name, str), name
    [launched] = [row for row in executions(server) if row.name == name]
    assert launched.launched_by == email_of(Role.MEMBER)

    # A relaunch is recorded as whoever relaunched.
    relaunch = execution_pb2.ExecutionRelaunchRequest(
        id=identifier_pb2.WorkflowExecutionIdentifier(project=PROJECT_A, domain="development", name=name)
    )
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        with pytest.raises(grpc.RpcError) as viewer:
            stub.RelaunchExecution(relaunch, metadata=(("authorization", f"Bearer {tokens['viewer']}"),), timeout=30)
        assert viewer.value.code() == grpc.StatusCode.PERMISSION_DENIED
        again = stub.RelaunchExecution(relaunch, metadata=(("authorization", f"Bearer {tokens['admin']}"),), timeout=30)
    [relaunched] = [row for row in executions(server) if row.name == again.id.name]
    assert (relaunched.launched_by, relaunched.relaunch_of) == (email_of(Role.ADMIN), name)


def test_token_endpoint_answers_rfc6749_json(accounts: tuple[RunningServer, dict[str, str], Path]) -> None:
    server, tokens, _ = accounts
    token_id, secret = tokens["member"].removeprefix("llt_").split(".", 1)

    def post(client_id: str, client_secret: str, grant: str = "client_credentials") -> httpx.Response:
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        return httpx.post(f"{server.url}/oauth2/token", data={"grant_type": grant},
                          headers={"Authorization": f"Basic {basic}"})  # fmt: skip

    granted = post(token_id, secret)
    assert granted.status_code == 200 and granted.headers["cache-control"] == "no-store"
    body = granted.json()
    assert body["access_token"] == tokens["member"] and body["token_type"] == "Bearer"
    assert 23 * 3600 < body["expires_in"] <= 24 * 3600
    for client_id, client_secret in ((token_id, "wrong"), ("nosuchtoken", secret)):
        refused = post(client_id, client_secret)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
        assert WHAT_TO_DO in refused.json()["error_description"]
    revoked_id, revoked_secret = tokens["revoked"].removeprefix("llt_").split(".", 1)
    assert "revoked" in post(revoked_id, revoked_secret).json()["error_description"]
    assert post(token_id, secret, grant="password").json()["error"] == "unsupported_grant_type"
    assert httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "client_credentials"}).status_code == 401
