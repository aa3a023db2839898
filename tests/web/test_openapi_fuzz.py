"""Schemathesis over the published OpenAPI: every operation, a fixed seed, a bounded number
of examples. No answer may be a 5xx, every answer must match the schema, and every status
must be one the route documents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from latchlike.app import create_app
from latchlike.config import Settings
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
PINNED = {"project": "flytesnacks", "domain": "development", "name": "workflows.hello.hello_world"}
# The schema is the app's own, built offline; the requests go to a real server.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    """Engine off: the fuzzer's launches are recorded, never run."""
    running = start_server(tmp_path_factory.mktemp("fuzz") / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})
    yield running
    running.stop()


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_off_schema(case: schemathesis.Case, fuzzed: RunningServer) -> None:
    for name, value in PINNED.items():
        if case.path_parameters is not None and name in case.path_parameters:
            case.path_parameters[name] = value
    case.call_and_validate(
        base_url=fuzzed.url, checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
    )
