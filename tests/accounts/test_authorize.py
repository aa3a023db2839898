"""`Authorize` without a server: a route missing from the access table is refused, in every
mode, naming the route; a HEAD with no entry of its own is its GET."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from latchlike.app import create_app
from latchlike.config import Settings
from latchlike.web.access_rules import PUBLIC, READ
from latchlike.web.auth import route_rule
from tests.server import LOCAL_BASE_URL


@pytest.mark.parametrize("auth", ["local", "accounts"])
def test_a_route_without_an_access_rule_is_refused(auth: str, caplog: pytest.LogCaptureFixture, database: str) -> None:
    app = create_app(Settings(auth=auth))  # type: ignore[arg-type]

    @app.get("/api/unlisted/{thing}")
    async def unlisted(thing: str) -> dict[str, str]:
        return {"thing": thing}

    with caplog.at_level(logging.ERROR):
        client = TestClient(app, base_url=LOCAL_BASE_URL)
        answer = client.get("/api/unlisted/x")  # no lifespan: the refusal needs no platform
    assert answer.status_code == 500
    assert answer.json()["message"] == "route GET /api/unlisted/{thing} has no access rule: refused until it has one"
    assert "GET /api/unlisted/{thing} has no entry in web/access_rules.py" in caplog.text


def test_a_head_without_its_own_rule_is_its_get() -> None:
    assert route_rule("HEAD", "/openapi.json") == PUBLIC
    assert route_rule("HEAD", "/api/files/{project}/{path:path}") == READ
    assert route_rule("HEAD", "/api/tus/{project}/{upload_id}") == route_rule("PATCH", "/api/tus/{project}/{upload_id}")
    assert route_rule("HEAD", "/no/such/route") is None
