"""Every operation of the published OpenAPI has its own id: client generators name methods
after them, and a repeated id (GET and HEAD of one route) makes FastAPI warn and clients clash."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import httpx
import pytest

from latchlike.app import create_app
from latchlike.config import Settings
from tests.server import start_server

METHODS = frozenset({"get", "head", "post", "put", "patch", "delete", "options"})


@pytest.mark.slow
def test_every_operation_id_in_openapi_json_is_unique(tmp_path: Path, database: str) -> None:
    server = start_server(tmp_path / "data", builtins=False, env={"LATCHLIKE_RUN_ENGINE": "false"})
    try:
        schema = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    finally:
        server.stop()
    ids = Counter(
        operation["operationId"]
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    )
    assert sum(ids.values()) > 50
    assert {name: count for name, count in ids.items() if count > 1} == {}
    download = schema["paths"]["/download/{expires}/{signature}/{key}"]
    assert {"get", "head"} <= download.keys()


def test_building_the_schema_warns_of_no_duplicate() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Duplicate Operation ID")
        create_app(Settings()).openapi()
