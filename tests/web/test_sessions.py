"""A request's transaction commits before its answer is sent: a client told 201 may rely on
the record even if the server dies the next instant (the crash tests kill it just then)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from latchlike.app import create_app
from latchlike.config import Settings
from tests.server import LOCAL_BASE_URL


class CommitRefused(Exception):
    pass


def test_a_request_is_answered_only_after_its_transaction_commits(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, grpc_port=0, run_engine=False, register_builtin_workflows=False)
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL_BASE_URL, raise_server_exceptions=False) as client:
        assert client.get("/api/projects").status_code == 200

        def refuse(_connection: Any) -> None:
            raise CommitRefused("the database went away")

        event.listen(app.state.platform.db.engine, "commit", refuse)
        answered = client.get("/api/projects")
        event.remove(app.state.platform.db.engine, "commit", refuse)
    assert answered.status_code == 500  # not a 200 sent before the commit failed
