"""Gate nodes (`sleep`, `approve`, `wait_for_input`) run for real and are given their
signals through FlyteRemote, as a Flyte developer does."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from flytekit.exceptions.user import FlyteInvalidInputException
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.remote import FlyteRemote
from flytekit.remote.executions import FlyteWorkflowExecution
from playwright.sync_api import expect

from tests.browser import browser_page
from tests.engine.running import ENGINE_PROJECT, launch_over_http, wait_over_http
from tests.pyflyte import flyte_remote, pyflyte_register
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
POLL = timedelta(seconds=0.5)
TIMEOUT = timedelta(seconds=120)


def start(remote: FlyteRemote, workflow: str, **inputs: object) -> FlyteWorkflowExecution:
    return remote.execute(remote.fetch_workflow(name=f"pipelines.gates.{workflow}"), inputs=inputs, wait=False)


def wait_for_signal(remote: FlyteRemote, execution: FlyteWorkflowExecution, signal_id: str) -> None:
    """A signal exists once its gate waits (as in Flyte, setting one before is refused)."""
    deadline = time.monotonic() + 60
    while signal_id not in [s.id.signal_id for s in remote.list_signals(execution.id.name)]:
        assert time.monotonic() < deadline, f"no gate waits for {signal_id}"
        time.sleep(0.2)


def test_a_sleep_gate_waits_then_the_workflow_goes_on(remote: FlyteRemote) -> None:
    execution = start(remote, "napping", x=1)
    done = remote.wait(execution, timeout=TIMEOUT, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert done.outputs["o0"] == 3
    gate = done.node_executions["n1"]
    assert gate.closure.phase == 3  # SUCCEEDED
    assert gate.closure.duration >= timedelta(seconds=1)


def test_an_approval_given_with_set_signal_passes_its_value_on(remote: FlyteRemote) -> None:
    execution = start(remote, "approved", x=1)
    wait_for_signal(remote, execution, "review")
    assert remote.fetch_execution(name=execution.id.name).closure.phase == WorkflowExecutionPhase.RUNNING
    remote.set_signal("review", execution.id.name, True)
    done = remote.wait(execution, timeout=TIMEOUT, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert done.outputs["o0"] == 3
    [signal] = remote.list_signals(execution.id.name)
    assert signal.value.scalar.primitive.boolean is True


def test_a_rejection_fails_the_execution(remote: FlyteRemote) -> None:
    execution = start(remote, "approved", x=1)
    wait_for_signal(remote, execution, "review")
    remote.reject("review", execution.id.name)
    done = remote.wait(execution, timeout=TIMEOUT, sync_nodes=False, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.FAILED
    assert "'review' was rejected" in done.closure.error.message


def test_wait_for_input_takes_a_typed_value_and_refuses_another_type(remote: FlyteRemote) -> None:
    execution = start(remote, "asks", x=1)
    wait_for_signal(remote, execution, "name")
    with pytest.raises(FlyteInvalidInputException, match="wants a value of type string"):
        remote.set_signal("name", execution.id.name, 7)
    remote.set_signal("name", execution.id.name, "ada")
    done = remote.wait(execution, timeout=TIMEOUT, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert done.outputs["o0"] == "ada:2"


def test_a_gate_past_its_timeout_fails_the_node(remote: FlyteRemote) -> None:
    execution = start(remote, "impatient", x=1)
    done = remote.wait(execution, timeout=TIMEOUT, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.FAILED
    assert "no one gave 'hurry' within its timeout" in done.closure.error.message
    assert done.node_executions["n1"].closure.phase == 5  # FAILED


def test_the_execution_page_approves_a_waiting_gate(server: RunningServer, remote: FlyteRemote) -> None:
    name = launch_over_http(server, "pipelines.gates.approved", {"x": 4})
    wait_over_http(server, name, lambda e: [w["signal_id"] for w in e["waiting"]] == ["review"])
    with browser_page() as page:
        page.goto(f"{server.url}/executions/flytesnacks/development/{name}")
        page.locator("form[data-signal='review'] button", has_text="Approve").click()
        expect(page.locator("#phase")).to_have_text("SUCCEEDED", timeout=30_000)
        expect(page.locator("#outputs")).to_contain_text("6")
        expect(page.locator("form.signal")).to_have_count(0)


def test_the_execution_page_takes_a_typed_input(server: RunningServer, remote: FlyteRemote) -> None:
    name = launch_over_http(server, "pipelines.gates.asks", {"x": 1})
    wait_over_http(server, name, lambda e: [w["signal_id"] for w in e["waiting"]] == ["name"])
    with browser_page() as page:
        page.goto(f"{server.url}/executions/flytesnacks/development/{name}")
        page.locator("form[data-signal='name'] input[name='value']").fill("grace")
        page.locator("form[data-signal='name'] button").click()
        expect(page.locator("#phase")).to_have_text("SUCCEEDED", timeout=30_000)
        expect(page.locator("#outputs")).to_contain_text("grace:2")


def test_a_waiting_gate_and_its_signal_outlive_a_restart(tmp_path: Path, database: str) -> None:
    data = tmp_path / "data"
    first = start_server(data, builtins=False)
    try:
        registered = pyflyte_register(first, ENGINE_PROJECT, package="pipelines")
        assert registered.returncode == 0, registered.stdout + registered.stderr
        execution = start(flyte_remote(first), "approved", x=10)
        wait_for_signal(flyte_remote(first), execution, "review")
    finally:
        first.stop()
    second = start_server(data, builtins=False)
    try:
        remote = flyte_remote(second)
        [waiting] = remote.list_signals(execution.id.name)
        assert waiting.id.signal_id == "review" and not waiting.HasField("value")
        remote.set_signal("review", execution.id.name, True)
        done = remote.wait(execution, timeout=TIMEOUT, sync_nodes=False, poll_interval=POLL)
        assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
        assert done.outputs["o0"] == 12
    finally:
        second.stop()
