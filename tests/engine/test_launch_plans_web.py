"""A workflow's other launch plans are launched from the web, their fixed inputs shown
read-only and enforced by the server (and over gRPC)."""

from __future__ import annotations

import re
from datetime import timedelta

import grpc
import httpx
import pytest
from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.service import admin_pb2_grpc
from flytekit.configuration import Config
from flytekit.remote import FlyteRemote
from playwright.sync_api import expect

from tests.browser import browser_page
from tests.engine.running import ENGINE_PROJECT, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer

pytestmark = pytest.mark.slow
WORKFLOW = "/workflows/flytesnacks/development/pipelines.options.tagged"


@pytest.fixture(scope="module")
def registered(server: RunningServer) -> RunningServer:
    result = pyflyte_register(server, ENGINE_PROJECT, package="pipelines")
    assert result.returncode == 0, result.stdout + result.stderr
    return server


def output_of(server: RunningServer, page_url: str) -> str:
    name = page_url.rstrip("/").rsplit("/", 1)[-1]
    done = wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    [output] = done["outputs"]
    return str(output["preview"])


def test_a_non_default_launch_plan_launches_from_the_web_with_its_fixed_input(registered: RunningServer) -> None:
    with browser_page() as page:
        page.goto(registered.url + WORKFLOW)
        page.locator("[data-launch-plan='pipelines.options.deep'] a", has_text="launch").click()
        expect(page.locator("#launch-plan")).to_have_text("pipelines.options.deep")
        expect(page.locator("#fixed-inputs [data-fixed='depth']")).to_contain_text("99")
        expect(page.locator("[name='depth']")).to_have_count(0)  # not editable
        page.locator("[name='sample']").fill("s1")
        page.get_by_role("button", name="Launch").click()
        expect(page).to_have_url(re.compile(r"/executions/flytesnacks/development/[a-z0-9]+$"))
        assert output_of(registered, page.url) == '"s1@99"'


def test_the_server_keeps_the_fixed_input_whatever_the_form_posts(registered: RunningServer) -> None:
    response = httpx.post(
        f"{registered.url}{WORKFLOW}/launch?launch_plan=pipelines.options.deep",
        data={"sample": "s2", "depth": "5"},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 303, response.text
    assert output_of(registered, response.headers["location"]) == '"s2@99"'


def test_create_execution_refuses_a_value_for_a_fixed_input(registered: RunningServer) -> None:
    with grpc.insecure_channel(registered.grpc_endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        plans = stub.ListLaunchPlans(
            common_pb2.ResourceListRequest(
                id={"project": "flytesnacks", "domain": "development", "name": "pipelines.options.deep"}, limit=1
            )
        )
        depth = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=5)))
        request = execution_pb2.ExecutionCreateRequest(
            project="flytesnacks",
            domain="development",
            spec=execution_pb2.ExecutionSpec(launch_plan=plans.launch_plans[0].id),
            inputs=literals_pb2.LiteralMap(literals={"depth": depth}),
        )
        assert request.spec.launch_plan.resource_type == identifier_pb2.ResourceType.LAUNCH_PLAN
        with pytest.raises(grpc.RpcError) as refused:
            stub.CreateExecution(request)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "fixes input(s) depth" in str(refused.value.details())


def test_flyte_remote_runs_the_launch_plan_with_its_fixed_input(registered: RunningServer) -> None:
    remote = FlyteRemote(Config.auto(config_file=str(registered.flytekit_config())),
                         default_project="flytesnacks", default_domain="development")  # fmt: skip
    plan = remote.fetch_launch_plan(name="pipelines.options.deep")
    done = remote.wait(remote.execute(plan, inputs={"sample": "s3"}), timeout=timedelta(seconds=120),
                       sync_nodes=False, poll_interval=timedelta(seconds=0.5))  # fmt: skip
    assert done.outputs["o0"] == "s3@99"
    assert done.inputs["depth"] == 99
