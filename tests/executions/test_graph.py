"""The execution page's graph layout holds for any graph the engine may be given: cycles
(which registration refuses, but a stored workflow may still have) and very long chains."""

from __future__ import annotations

from collections import Counter

from flyteidl.core import literals_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from latchlike.executions.graph import workflow_graph


def _node(node_id: str, *, reads: str | None = None, after: str | None = None) -> core_workflow_pb2.Node:
    node = core_workflow_pb2.Node(id=node_id, task_node=core_workflow_pb2.TaskNode())
    if reads:
        promise = types_pb2.OutputReference(node_id=reads, var="o0")
        node.inputs.append(literals_pb2.Binding(var="x", binding=literals_pb2.BindingData(promise=promise)))
    if after:
        node.upstream_node_ids.append(after)
    return node


def test_a_cycle_is_laid_out_without_recursing_forever() -> None:
    template = core_workflow_pb2.WorkflowTemplate(
        nodes=[_node("start"), _node("n0", reads="n1", after="start"), _node("n1", reads="n0")]
    )
    graph = workflow_graph(template, {"start": "SUCCEEDED"}, {})
    assert [(node.node_id, node.phase) for node in graph.nodes] == [
        ("start", "SUCCEEDED"), ("n0", "PENDING"), ("n1", "PENDING")
    ]  # fmt: skip
    assert {node.node_id: node.x for node in graph.nodes}["n0"] > 0
    assert len(graph.edges) == 3


def test_a_chain_of_5000_nodes_is_laid_out_in_5000_layers() -> None:
    """Listed last node first, so each node's upstream comes after it."""
    nodes = [*(_node(f"n{i}", after=f"n{i - 1}") for i in range(4999, 0, -1)), _node("n0")]
    graph = workflow_graph(core_workflow_pb2.WorkflowTemplate(nodes=nodes), {}, Counter())
    assert len({node.x for node in graph.nodes}) == 5000
