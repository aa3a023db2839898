"""A bug's 500 carries the security headers like every other answer. Starlette builds it in
its outermost middleware, outside ours; here a real server meets a real failure: the table a
route reads is gone from under it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from latchlike.web.security import CONTENT_SECURITY_POLICY
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
RULES = "/api/projects/flytesnacks/qc-rules"
EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "same-origin",
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    env = {"LATCHLIKE_RUN_ENGINE": "false", "LATCHLIKE_RUN_TRIGGERS": "false"}
    running = start_server(tmp_path_factory.mktemp("broken") / "data", builtins=False, env=env)
    try:
        assert httpx.get(running.url + RULES, timeout=30).status_code == 200
        engine = create_engine(running.database_url)
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE qc_rules RENAME TO qc_rules_gone"))
        engine.dispose()
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_a_500_carries_the_security_headers(broken: RunningServer, accept: str) -> None:
    answer = httpx.get(broken.url + RULES, headers={"Accept": accept}, timeout=30)
    assert answer.status_code == 500
    assert {name: answer.headers.get(name) for name in EXPECTED} == EXPECTED
    assert "internal server error" in answer.text and "qc_rules" not in answer.text  # no internals leak
    deadline = time.monotonic() + 10  # logged once the answer is sent
    while "Traceback" not in broken.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Traceback" in broken.log()  # the bug is still logged for whoever runs the server
