"""An execution's page serves only files of its own project, even for an execution recorded
before launches were checked (or a task that named another project's file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from flyteidl.core import literals_pb2

from latchlike.app import create_app
from latchlike.config import Settings
from latchlike.executions.provenance import record_files
from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.platform import Platform
from tests.security.test_readable_inputs import blob, put
from tests.server import LOCAL_BASE_URL


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=data_dir, grpc_port=0, run_engine=False, register_builtin_workflows=False)
    with TestClient(create_app(settings), base_url=LOCAL_BASE_URL) as client:
        yield client


def test_another_projects_file_is_not_served_from_an_execution_page(client: TestClient) -> None:
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    ours = put(platform, "files/flytesnacks/mine.fastq", b"mine")
    theirs = put(platform, "files/other/secret.fastq", b"secret")
    inputs = literals_pb2.LiteralMap(literals={"a": blob(ours), "b": blob(theirs)})
    with platform.db.session() as session:
        row = ExecutionRow(project="flytesnacks", domain="development", name="old", launch_plan="wf", workflow="wf",
                           version="v1", inputs=inputs.SerializeToString(), phase="SUCCEEDED", source="cli",
                           launched_by="test")  # fmt: skip
        session.add(row)
        session.flush()
        record_files(session, platform.store, row, inputs, direction="input")
    with platform.db.session() as session:
        ids = {f.name: f.id for f in session.query(ExecutionFileRow)}
    page = "/executions/flytesnacks/development/old/files/"
    mine = client.get(page + str(ids["a"]))
    assert mine.status_code == 200 and mine.content == b"mine"
    assert mine.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in mine.headers.get_list("content-security-policy")
    refused = client.get(page + str(ids["b"]), headers={"Accept": "application/json"})
    assert refused.status_code == 404 and b"secret" not in refused.content
