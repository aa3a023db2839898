"""`pyflyte run --remote` and FlyteRemote against latchlike's FlyteAdmin execution API."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import grpc
import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import literals_pb2
from flyteidl.service import admin_pb2_grpc
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.remote import FlyteRemote

from tests.engine.running import ENGINE_PROJECT
from tests.pyflyte import pyflyte
from tests.server import RunningServer

pytestmark = pytest.mark.slow
POLL = timedelta(seconds=0.5)


def test_pyflyte_run_remote_creates_an_execution_that_runs(server: RunningServer, remote: FlyteRemote) -> None:
    result = pyflyte(server, ENGINE_PROJECT, "run", "--remote", "pipelines/basic.py", "fan", "--x", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    name = re.search(r"/executions/([a-z0-9]+)", result.stdout)
    assert name, result.stdout
    execution = remote.wait(remote.fetch_execution(name=name.group(1)), timeout=timedelta(seconds=120),
                            sync_nodes=False, poll_interval=POLL)  # fmt: skip
    assert execution.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert execution.outputs["o0"] == 16


def test_pyflyte_run_remote_wait_syncs_nodes_and_reports_success(server: RunningServer, remote: FlyteRemote) -> None:
    # Polled every second, not every 30 (flytekit's default), so the test waits as long as the run.
    wait = ["--wait", "--poll-interval", "1"]
    result = pyflyte(server, ENGINE_PROJECT, "run", "--remote", *wait, "pipelines/basic.py", "fan", "--x", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "has succeeded" in result.stdout


def test_flyte_remote_wait_syncs_node_and_task_executions(remote: FlyteRemote) -> None:
    workflow = remote.fetch_workflow(name="pipelines.basic.fan")
    execution = remote.execute(workflow, inputs={"x": 1}, wait=False)
    done = remote.wait(execution, timeout=timedelta(seconds=120), poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert sorted(done.node_executions) == ["n0", "n1", "n2", "n3"]
    last = done.node_executions["n3"]
    assert last.inputs == {"a": 4, "b": 4} and last.outputs == {"o0": 8}
    assert [t.id.retry_attempt for t in last.task_executions] == [0]
    assert last.task_executions[0].outputs == {"o0": 8}


def test_flyte_remote_executes_and_reads_inputs_and_outputs(remote: FlyteRemote) -> None:
    workflow = remote.fetch_workflow(name="pipelines.basic.fan")
    execution = remote.execute(workflow, inputs={"x": 4}, wait=False)
    done = remote.wait(execution, timeout=timedelta(seconds=120), sync_nodes=False, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert done.inputs["x"] == 4 and done.outputs["o0"] == 32
    assert done.spec.launch_plan.name == "pipelines.basic.fan"


def test_a_failed_execution_reports_the_users_error(remote: FlyteRemote) -> None:
    workflow = remote.fetch_workflow(name="pipelines.basic.fails")
    done = remote.wait(
        remote.execute(workflow, inputs={"x": 1}), timeout=timedelta(seconds=120), sync_nodes=False, poll_interval=POLL
    )
    assert done.closure.phase == WorkflowExecutionPhase.FAILED
    assert "bad sample 2" in done.closure.error.message


def test_terminate_kills_the_running_task_and_aborts(server: RunningServer, remote: FlyteRemote) -> None:
    workflow = remote.fetch_workflow(name="pipelines.basic.slow")
    execution = remote.execute(workflow, inputs={"seconds": 30})
    deadline = time.monotonic() + 60
    while remote.fetch_execution(name=execution.id.name).closure.phase != WorkflowExecutionPhase.RUNNING:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(2)  # let the long task start
    started = time.monotonic()
    remote.terminate(execution, cause="wrong sample sheet")
    done = remote.wait(execution, timeout=timedelta(seconds=30), sync_nodes=False, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.ABORTED
    assert time.monotonic() - started < 20  # not the 60 s the task would have slept
    assert done.closure.abort_metadata.cause == "wrong sample sheet"


@pytest.mark.parametrize(
    ("inputs", "message"),
    [({"x": 1, "y": 2}, "has no input(s) y; its inputs: x"), ({}, "needs input 'x', which has no default")],
)
def test_the_server_refuses_inputs_that_do_not_fit(
    server: RunningServer, remote: FlyteRemote, inputs: dict[str, int], message: str
) -> None:
    """flytekit checks this too; the server must not rely on it (other clients exist)."""
    literals = literals_pb2.LiteralMap(
        literals={
            name: literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))
            for name, value in inputs.items()
        }
    )
    plan = remote.fetch_launch_plan(name="pipelines.basic.fan")
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks",
        domain="development",
        spec=execution_pb2.ExecutionSpec(launch_plan=plan.id.to_flyte_idl()),
        inputs=literals,
    )
    with grpc.insecure_channel(server.grpc_endpoint) as channel, pytest.raises(grpc.RpcError) as refused:
        admin_pb2_grpc.AdminServiceStub(channel).CreateExecution(request)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in str(refused.value.details())


@pytest.mark.parametrize(
    ("workflow", "inputs", "output"),
    [("pipelines.shapes.nested", {"x": 2}, 10), ("pipelines.shapes.sign", {"x": -3}, 3),
     ("pipelines.shapes.squares", {"xs": list(range(50))}, sum(x * x for x in range(50))),
     ("pipelines.shapes.folders", {"n": 3}, 6), ("pipelines.shapes.samples", {"n": 3}, 8)],
    ids=["sub-workflow", "conditional", "map-task-50", "directory", "dynamic"],
)  # fmt: skip
def test_flyte_remote_wait_syncs_nested_nodes(
    remote: FlyteRemote, workflow: str, inputs: dict[str, object], output: int
) -> None:
    """Parent nodes list their children by `unique_parent_id`; a map task's items are its
    array node's task executions."""
    execution = remote.execute(remote.fetch_workflow(name=workflow), inputs=inputs, wait=False)
    done = remote.wait(execution, timeout=timedelta(seconds=120), poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert done.outputs["o0"] == output
    first = done.node_executions["n0"]
    assert first.closure.phase == 3  # SUCCEEDED
    if workflow.endswith("nested"):
        assert sorted(first.subworkflow_node_executions) == ["n0-0-n0", "n0-0-n1"]
        assert first.outputs == {"o0": 8}
