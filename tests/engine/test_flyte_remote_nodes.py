"""Node kinds as FlyteRemote sees them over gRPC, as on Flyte: a dynamic node is a parent
whose children `sync_execution(sync_nodes=True)` maps onto its `dynamic_workflow`, and a
map task's items are its array node's task execution's `external_resources`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from flytekit.models.core.execution import TaskExecutionPhase, WorkflowExecutionPhase
from flytekit.remote import FlyteRemote

from tests.server import RunningServer

pytestmark = pytest.mark.slow
POLL = timedelta(seconds=0.5)
WAIT = timedelta(seconds=120)


def test_sync_execution_lists_a_dynamic_nodes_children(remote: FlyteRemote) -> None:
    """`samples(n=3)`: the dynamic `per_sample` squares 0, 1, 2 in three nodes, then totals them."""
    execution = remote.execute(remote.fetch_workflow(name="pipelines.shapes.samples"), inputs={"n": 3}, wait=False)
    done = remote.wait(execution, timeout=WAIT, sync_nodes=False, poll_interval=POLL)
    synced = remote.sync_execution(done, sync_nodes=True)
    dynamic = synced.node_executions["n0"]
    assert dynamic.metadata.is_parent_node and dynamic.metadata.is_dynamic
    children = dynamic.subworkflow_node_executions
    assert sorted(children) == ["n0-0-dn0", "n0-0-dn1", "n0-0-dn2", "n0-0-dn3"]
    assert sorted(child.outputs["o0"] for child in children.values()) == [0, 1, 4, 5]
    assert children["n0-0-dn3"].inputs == {"values": [0, 1, 4]}
    assert dynamic.outputs == {"o0": 5} and synced.outputs["o0"] == 8


def test_a_map_tasks_items_are_the_array_nodes_external_resources(server: RunningServer, remote: FlyteRemote) -> None:
    xs = [3, 1, 2, 5]
    execution = remote.execute(remote.fetch_workflow(name="pipelines.shapes.squares"), inputs={"xs": xs}, wait=False)
    done = remote.wait(execution, timeout=WAIT, poll_interval=POLL)
    array = done.node_executions["n0"]
    assert array.metadata.is_array
    [task_execution] = array.task_executions
    items = task_execution.closure.metadata.external_resources
    assert [item.index for item in items] == [0, 1, 2, 3]
    assert {item.phase for item in items} == {TaskExecutionPhase.SUCCEEDED}
    assert [item.retry_attempt for item in items] == [0, 0, 0, 0]
    log = httpx.get(items[2].logs[0].uri)
    assert log.status_code == 200 and items[2].logs[0].uri.startswith(server.url.rsplit(":", 1)[0])


def test_an_ordering_only_chain_runs_in_order_through_flyte_remote(remote: FlyteRemote, tmp_path: Path) -> None:
    journal = tmp_path / "journal.txt"
    workflow = remote.fetch_workflow(name="pipelines.kinds.ordered")
    done = remote.wait(remote.execute(workflow, inputs={"journal": str(journal)}), timeout=WAIT, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert journal.read_text().split() == ["first", "second", "third"]
    assert sorted(done.node_executions) == ["n0", "n1", "n2"]


def test_an_echo_task_passes_its_input_on_through_flyte_remote(remote: FlyteRemote) -> None:
    workflow = remote.fetch_workflow(name="pipelines.kinds.echoed")
    done = remote.wait(remote.execute(workflow, inputs={"x": 5}), timeout=WAIT, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert done.outputs["o0"] == 20
    echo = done.node_executions["n1"]
    assert echo.inputs == {"x": 10} and echo.outputs == {"o0": 10}
