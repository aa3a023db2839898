"""What FlyteAdmin's compiler does for us, in pure functions over flyteidl messages.

A workflow is checked against the registered tasks it references and turned into the
`CompiledWorkflowClosure` that Get answers with (flytekit's `fetch_workflow` needs the
primary template, its sub-workflows and every referenced task template). A launch plan
is checked against its workflow's interface and given its expected inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import (
    compiler_pb2,
    identifier_pb2,
    interface_pb2,
)
from flyteidl.core import (
    workflow_pb2 as core_workflow_pb2,
)

from latchlike.errors import InvalidArgument
from latchlike.specs.ids import EntityId, ResourceKind

# Workflow inputs are promises of the start node, which flytekit leaves unnamed ("").
BOUND_NODES = ("", "start-node", "end-node")


def entity_id(identifier: identifier_pb2.Identifier, kind: ResourceKind) -> EntityId:
    return EntityId(kind, identifier.project, identifier.domain, identifier.name, identifier.version)


def walk_nodes(nodes: Iterable[core_workflow_pb2.Node]) -> Iterator[core_workflow_pb2.Node]:
    """Every node, including those nested in branches and array nodes."""
    for node in nodes:
        yield node
        kind = node.WhichOneof("target")
        if kind == "branch_node":
            if_else = node.branch_node.if_else
            branches = [
                if_else.case.then_node,
                *(case.then_node for case in if_else.other),
            ]
            if if_else.HasField("else_node"):
                branches.append(if_else.else_node)
            yield from walk_nodes(branches)
        elif kind == "array_node":
            yield from walk_nodes([node.array_node.node])


def all_nodes(spec: workflow_pb2.WorkflowSpec) -> Iterator[core_workflow_pb2.Node]:
    """Every node of the workflow and of the sub-workflows it ships."""
    for template in [spec.template, *spec.sub_workflows]:
        yield from walk_nodes(template.nodes)


def referenced_tasks(spec: workflow_pb2.WorkflowSpec) -> set[EntityId]:
    return {
        entity_id(node.task_node.reference_id, ResourceKind.TASK)
        for node in all_nodes(spec)
        if node.WhichOneof("target") == "task_node"
    }


def referenced_launch_plans(spec: workflow_pb2.WorkflowSpec) -> set[EntityId]:
    return {
        entity_id(node.workflow_node.launchplan_ref, ResourceKind.LAUNCH_PLAN)
        for node in all_nodes(spec)
        if node.WhichOneof("target") == "workflow_node"
        and node.workflow_node.WhichOneof("reference") == "launchplan_ref"
    }


def check_sub_workflows(spec: workflow_pb2.WorkflowSpec) -> None:
    """A sub-workflow node must point at a template shipped in the same spec."""
    shipped = {entity_id(sub.id, ResourceKind.WORKFLOW) for sub in spec.sub_workflows}
    for node in all_nodes(spec):
        if node.WhichOneof("target") != "workflow_node":
            continue
        if node.workflow_node.WhichOneof("reference") != "sub_workflow_ref":
            continue
        ref = entity_id(node.workflow_node.sub_workflow_ref, ResourceKind.WORKFLOW)
        if ref not in shipped:
            raise InvalidArgument(f"node {node.id!r} references sub-workflow {ref}, which the spec does not include")


def compile_workflow(
    spec: workflow_pb2.WorkflowSpec, tasks: Mapping[EntityId, task_pb2.TaskClosure]
) -> compiler_pb2.CompiledWorkflowClosure:
    """`tasks` must hold every task in `referenced_tasks(spec)`."""
    closure = compiler_pb2.CompiledWorkflowClosure(
        primary=compile_template(spec.template),
        sub_workflows=[compile_template(sub) for sub in spec.sub_workflows],
    )
    for task_id in sorted(referenced_tasks(spec)):
        closure.tasks.append(tasks[task_id].compiled_task)
    return closure


def compile_template(
    template: core_workflow_pb2.WorkflowTemplate,
) -> compiler_pb2.CompiledWorkflow:
    upstream: dict[str, set[str]] = {}
    for node in template.nodes:
        sources = set(node.upstream_node_ids)
        sources.update(
            binding.binding.promise.node_id for binding in node.inputs if binding.binding.HasField("promise")
        )
        upstream[node.id] = {source for source in sources if source not in BOUND_NODES}
    downstream: dict[str, set[str]] = {}
    for node_id, sources in upstream.items():
        for source in sources:
            downstream.setdefault(source, set()).add(node_id)
    connections = compiler_pb2.ConnectionSet()
    for node_id, sources in upstream.items():
        if sources:
            connections.upstream[node_id].ids.extend(sorted(sources))
    for node_id, targets in downstream.items():
        connections.downstream[node_id].ids.extend(sorted(targets))
    return compiler_pb2.CompiledWorkflow(template=template, connections=connections)


def expected_inputs(
    spec: launch_plan_pb2.LaunchPlanSpec,
    workflow_interface: interface_pb2.TypedInterface,
) -> interface_pb2.ParameterMap:
    """As FlyteAdmin computes them: fixed inputs drop out, defaults come from the launch
    plan, and every other workflow input is required."""
    variables = workflow_interface.inputs.variables
    for name in [*spec.default_inputs.parameters, *spec.fixed_inputs.literals]:
        if name not in variables:
            raise InvalidArgument(f"launch plan input {name!r} is not an input of its workflow")
    expected = interface_pb2.ParameterMap()
    for name, variable in variables.items():
        if name in spec.fixed_inputs.literals:
            continue
        if name in spec.default_inputs.parameters:
            expected.parameters[name].CopyFrom(spec.default_inputs.parameters[name])
        else:
            expected.parameters[name].CopyFrom(interface_pb2.Parameter(var=variable, required=True))
    return expected
