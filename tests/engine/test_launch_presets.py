"""A workflow's named launch plans are presets on its launch page and in the JSON API: one
fills the form with that plan's defaults, and the execution runs with them."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import browser_page, page_errors
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


def output_of(server: RunningServer, name: str) -> str:
    done = wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    [output] = done["outputs"]
    return str(output["preview"])


@pytest.mark.parametrize("javascript", [True, False])
def test_a_preset_fills_the_form_and_the_execution_runs_with_its_values(
    registered: RunningServer, javascript: bool
) -> None:
    with browser_page(javascript=javascript) as page:
        errors = page_errors(page)
        page.goto(f"{registered.url}{WORKFLOW}/launch")
        expect(page.locator("[name='depth']")).to_have_value("10")
        if javascript:
            page.evaluate("window.loadedOnce = true")
        page.get_by_label("Fill from preset").select_option(label="Basic")
        if not javascript:  # with JavaScript, choosing fills the form in place
            page.locator("#fill-preset").click()
        expect(page.locator("[name='sample']")).to_have_value("demo")
        expect(page.locator("[name='depth']")).to_have_value("7")
        expect(page.get_by_label("Fill from preset")).to_have_value("pipelines.options.tagged.Basic")
        expect(page).to_have_url(re.compile(r"launch_plan=pipelines.options.tagged.Basic"))
        if javascript:
            assert page.evaluate("window.loadedOnce") is True  # no reload
            page.locator("[name='depth']").fill("1.5")  # the new form is wired: its messages follow typing
            expect(page.locator(".field.invalid [name='depth']")).to_have_count(1)
            page.locator("[name='depth']").fill("8")
        page.get_by_role("button", name="Launch").click()
        expect(page).to_have_url(re.compile(r"/executions/flytesnacks/development/[a-z0-9]+$"))
        assert output_of(registered, page.url.rsplit("/", 1)[-1]) == ('"demo@8"' if javascript else '"demo@7"')
        assert errors == []


def test_a_preset_with_fixed_inputs_shows_them_read_only(registered: RunningServer) -> None:
    with browser_page() as page:
        errors = page_errors(page)
        page.goto(f"{registered.url}{WORKFLOW}/launch")
        page.get_by_label("Fill from preset").select_option(label="deep")
        page.locator("#fill-preset").click()
        expect(page.locator("#fixed-inputs [data-fixed='depth']")).to_contain_text("99")
        expect(page.locator("[name='depth']")).to_have_count(0)
        assert errors == []


def test_the_json_api_launches_with_a_preset(registered: RunningServer) -> None:
    api = f"{registered.url}/api{WORKFLOW}/executions"
    response = httpx.post(api, json={"inputs": {}, "launch_plan": "pipelines.options.tagged.Basic"})
    assert response.status_code == 201, response.text
    assert output_of(registered, response.json()["name"]) == '"demo@7"'
    page = httpx.get(f"{registered.url}/executions/flytesnacks/development/{response.json()['name']}").text
    assert "› Tagged</p>" in page and ">Tagged</a> (<code>pipelines.options.tagged</code>)" in page
    overridden = httpx.post(api, json={"inputs": {"depth": 3}, "launch_plan": "pipelines.options.tagged.Basic"})
    assert output_of(registered, overridden.json()["name"]) == '"demo@3"'
    unknown = httpx.post(api, json={"inputs": {}, "launch_plan": "pipelines.options.tagged.Nope"})
    assert unknown.status_code == 404, unknown.text
