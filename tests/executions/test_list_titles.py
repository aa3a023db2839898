"""The executions list shows each workflow's title (its module path smaller underneath),
read for all listed rows in the request's one unit of work: the statements it runs do not
grow with the number of executions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from flyteidl.core import literals_pb2
from sqlalchemy import event

from latchlike.app import create_app
from latchlike.config import Settings
from latchlike.executions.tables import ExecutionRow
from latchlike.platform import Platform
from tests.samples import SerializedSample
from tests.server import LOCAL_BASE_URL
from tests.ui_gen.registry import register_serialized

WORKFLOW, TITLE = "sample.reads.qc_reads", "Qc reads"


@pytest.fixture
def client(data_dir: Path, sample: SerializedSample) -> Iterator[TestClient]:
    settings = Settings(data_dir=data_dir, grpc_port=0, run_engine=False, register_builtin_workflows=False)
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL_BASE_URL) as client:
        register_serialized(app.state.platform, sample, None, "sample")
        yield client


def add_executions(platform: Platform, count: int) -> None:
    inputs = literals_pb2.LiteralMap().SerializeToString()
    with platform.db.session() as session:
        offset = session.query(ExecutionRow).count()
        session.add_all(
            ExecutionRow(
                project="flytesnacks",
                domain="development",
                name=f"e{offset + i}",
                launch_plan=WORKFLOW,
                workflow=WORKFLOW,
                version="v1",
                inputs=inputs,
                phase="SUCCEEDED",
                source="web",
                launched_by="test",
            )
            for i in range(count)
        )


def statements_of(client: TestClient, url: str) -> tuple[str, int]:
    engine = client.app.state.platform.db.engine  # type: ignore[attr-defined]
    counted: list[str] = []

    def count(*_: Any) -> None:
        counted.append("")

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    return response.text, len(counted)


def test_the_executions_list_shows_titles_in_a_fixed_number_of_statements(client: TestClient) -> None:
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    add_executions(platform, 3)
    page, few = statements_of(client, "/executions")
    assert f"{TITLE}<br><small><code>{WORKFLOW}</code></small>" in page
    assert [e["workflow_title"] for e in client.get("/api/executions").json()] == [TITLE] * 3

    add_executions(platform, 497)
    page, many = statements_of(client, "/executions")
    assert page.count(TITLE) >= 100  # the list shows the newest 100
    assert many == few, f"{few} statements for 3 executions, {many} for 500"
