"""Pure compiler functions on hand-built shapes flytekit produces: branches, array nodes, sub-workflows."""

from __future__ import annotations

import pytest
from flyteidl.admin import workflow_pb2
from flyteidl.core import condition_pb2, identifier_pb2
from flyteidl.core import workflow_pb2 as core

from latchlike.errors import InvalidArgument
from latchlike.specs import compiler


def task_node(node_id: str, task: str) -> core.Node:
    ref = identifier_pb2.Identifier(resource_type=1, project="p", domain="d", name=task, version="v")
    return core.Node(id=node_id, task_node=core.TaskNode(reference_id=ref))


def spec_with(*nodes: core.Node, sub_workflows: tuple[core.WorkflowTemplate, ...] = ()) -> workflow_pb2.WorkflowSpec:
    return workflow_pb2.WorkflowSpec(template=core.WorkflowTemplate(nodes=nodes), sub_workflows=sub_workflows)


def test_tasks_inside_branches_and_array_nodes_are_referenced() -> None:
    branch = core.Node(
        id="n1",
        branch_node=core.BranchNode(
            if_else=core.IfElseBlock(
                case=core.IfBlock(condition=condition_pb2.BooleanExpression(), then_node=task_node("n1-a", "then")),
                other=[core.IfBlock(then_node=task_node("n1-b", "elif"))],
                else_node=task_node("n1-c", "else"),
            )
        ),
    )
    mapped = core.Node(id="n2", array_node=core.ArrayNode(node=task_node("n2-0", "mapped")))
    sub = core.WorkflowTemplate(
        id=identifier_pb2.Identifier(resource_type=2, project="p", domain="d", name="sub", version="v"),
        nodes=[task_node("s0", "in_sub")],
    )
    names = {ref.name for ref in compiler.referenced_tasks(spec_with(branch, mapped, sub_workflows=(sub,)))}
    assert names == {"then", "elif", "else", "mapped", "in_sub"}


def test_missing_sub_workflow_is_named() -> None:
    ref = identifier_pb2.Identifier(resource_type=2, project="p", domain="d", name="ghost", version="v")
    node = core.Node(id="n0", workflow_node=core.WorkflowNode(sub_workflow_ref=ref))
    with pytest.raises(InvalidArgument, match=r"node 'n0' references sub-workflow .*ghost@v"):
        compiler.check_sub_workflows(spec_with(node))


def test_connections_follow_upstream_ids_and_promises() -> None:
    first = task_node("n0", "a")
    second = task_node("n1", "b")
    second.inputs.add(var="x").binding.promise.node_id = "n0"
    second.inputs.add(var="y").binding.promise.node_id = ""  # a workflow input
    third = task_node("n2", "c")
    third.upstream_node_ids.append("n1")
    connections = compiler.compile_template(core.WorkflowTemplate(nodes=[first, second, third])).connections
    assert list(connections.upstream["n1"].ids) == ["n0"]
    assert list(connections.upstream["n2"].ids) == ["n1"]
    assert list(connections.downstream["n0"].ids) == ["n1"]
    assert "n0" not in connections.upstream
