"""A launch-plan node starts a child execution, linked both ways, that FlyteRemote walks into."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.remote import FlyteRemote

from tests.server import RunningServer

pytestmark = pytest.mark.slow
POLL = timedelta(seconds=0.5)
TIMEOUT = timedelta(seconds=120)


def test_a_launch_plan_node_runs_a_child_execution_flyte_remote_walks_into(
    server: RunningServer, remote: FlyteRemote
) -> None:
    execution = remote.execute(remote.fetch_workflow(name="pipelines.children.outer"), inputs={"x": 1}, wait=False)
    done = remote.wait(execution, timeout=TIMEOUT, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert done.outputs["o0"] == 8  # 1+1 → 3·2+1 = 7 → 8
    node = done.node_executions["n1"]
    assert node.outputs == {"o0": 7}
    [child] = node.workflow_executions
    assert child.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert child.spec.launch_plan.name == "pipelines.children.inner_plan"
    parent = child.spec.metadata.parent_node_execution
    assert (parent.execution_id.name, parent.node_id) == (done.id.name, "n1")
    assert sorted(child.node_executions) == ["n0", "n1"]
    page = httpx.get(f"{server.url}/executions/flytesnacks/development/{done.id.name}").text
    assert f"/executions/flytesnacks/development/{child.id.name}" in page
    child_page = httpx.get(f"{server.url}/executions/flytesnacks/development/{child.id.name}").text
    assert f"/executions/flytesnacks/development/{done.id.name}" in child_page


def test_a_failed_child_fails_its_node_with_the_childs_error(remote: FlyteRemote) -> None:
    execution = remote.execute(remote.fetch_workflow(name="pipelines.children.outer_fails"), inputs={"x": 2})
    done = remote.wait(execution, timeout=TIMEOUT, sync_nodes=False, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.FAILED
    assert "no triple for 2" in done.closure.error.message
    assert "child execution" in done.closure.error.message


def test_aborting_the_parent_aborts_the_child(remote: FlyteRemote) -> None:
    execution = remote.execute(remote.fetch_workflow(name="pipelines.children.outer_slow"), inputs={"seconds": 60})
    deadline = time.monotonic() + 60
    while True:
        synced = remote.sync_execution(remote.fetch_execution(name=execution.id.name), sync_nodes=True)
        node = synced.node_executions.get("n0")
        if node is not None and node.workflow_executions:
            break
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.5)
    child = node.workflow_executions[0]
    remote.terminate(execution, cause="wrong sample sheet")
    done = remote.wait(execution, timeout=TIMEOUT, sync_nodes=False, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.ABORTED
    child_done = remote.wait(child, timeout=TIMEOUT, sync_nodes=False, poll_interval=POLL)
    assert child_done.closure.phase == WorkflowExecutionPhase.ABORTED
    assert f"its parent {execution.id.name} was aborted" in child_done.closure.abort_metadata.cause
