"""Pure decisions over a compiled workflow: which nodes can run, and what each gets.

No database, no store, no processes: given the workflow template, its inputs and the
outputs of finished nodes, these functions say what each node waits for and build its
input LiteralMap, as FlyteAdmin's propeller does. A workflow node, a branch node and an
array node are steps like a task node; what runs inside them is the engine walk's concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from latchlike.specs.compiler import BOUND_NODES
from latchlike.specs.graph_check import promises, topological_order

_SUPPORTED = ("task_node", "workflow_node", "branch_node", "array_node", "gate_node")


class UnsupportedWorkflow(ValueError):
    """The workflow uses a node kind this engine does not run yet."""


@dataclass(frozen=True)
class Step:
    node: core_workflow_pb2.Node
    upstream: frozenset[str]

    @property
    def id(self) -> str:
        return self.node.id


def steps(template: core_workflow_pb2.WorkflowTemplate) -> dict[str, Step]:
    """Every node with the nodes it waits for (declared upstream, as `a >> b` gives, and
    promised outputs), upstream before downstream: one pass over them starts every node
    that became ready. Nodes in a cycle, or waiting for a node that does not exist, come
    last and never become ready."""
    found = {}
    for node in template.nodes:
        check_supported(node)
        promised = {ref.node_id for inner in _bound_nodes(node) for b in inner.inputs for ref in promises(b.binding)}
        upstream = (set(node.upstream_node_ids) | promised) - set(BOUND_NODES)
        found[node.id] = Step(node, frozenset(upstream))
    return {node_id: found[node_id] for node_id in topological_order({k: v.upstream for k, v in found.items()})}


def check_supported(node: core_workflow_pb2.Node) -> None:
    kind = node.WhichOneof("target")
    if kind not in _SUPPORTED:
        what = kind or "node without target"
        raise UnsupportedWorkflow(f"node {node.id} is a {what}, which latchlike cannot run yet")
    if kind == "array_node" and node.array_node.node.WhichOneof("target") != "task_node":
        raise UnsupportedWorkflow(f"node {node.id} maps over something other than a task, which latchlike cannot run")
    for inner in _bound_nodes(node)[1:]:
        check_supported(inner)


def _bound_nodes(node: core_workflow_pb2.Node) -> list[core_workflow_pb2.Node]:
    """The node and the nodes inside it whose bindings read the same scope as it does:
    a branch's cases and an array node's mapped node."""
    if node.HasField("branch_node"):
        if_else = node.branch_node.if_else
        cases = [if_else.case.then_node, *(case.then_node for case in if_else.other)]
        return [node, *cases, *([if_else.else_node] if if_else.HasField("else_node") else [])]
    if node.HasField("array_node"):
        return [node, node.array_node.node]
    return [node]


def node_inputs(
    node: core_workflow_pb2.Node, inputs: literals_pb2.LiteralMap, outputs: Mapping[str, literals_pb2.LiteralMap]
) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(
        literals={binding.var: resolve(binding.binding, inputs, outputs) for binding in node.inputs}
    )


def array_size(array: core_workflow_pb2.ArrayNode, inputs: literals_pb2.LiteralMap) -> int:
    """How many tasks a map task runs: the length of its mapped (list) inputs, which must agree."""
    sizes = {
        name: len(literal.collection.literals)
        for name, literal in inputs.literals.items()
        if name not in array.bound_inputs and literal.HasField("collection")
    }
    if len(set(sizes.values())) > 1:
        raise ValueError(f"the mapped inputs have different lengths: {sizes}")
    return next(iter(sizes.values()), 0)


def array_outputs(items: list[literals_pb2.LiteralMap | None], names: list[str]) -> literals_pb2.LiteralMap:
    """Each output of a map task as a list, item by item; a failed item (allowed by
    `min_success_ratio`) is a none value, as in Flyte."""
    none = literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
    return literals_pb2.LiteralMap(
        literals={
            name: literals_pb2.Literal(
                collection=literals_pb2.LiteralCollection(
                    literals=[item.literals[name] if item is not None else none for item in items]
                )
            )
            for name in names
        }
    )


def workflow_outputs(
    template: core_workflow_pb2.WorkflowTemplate,
    inputs: literals_pb2.LiteralMap,
    outputs: Mapping[str, literals_pb2.LiteralMap],
) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(
        literals={binding.var: resolve(binding.binding, inputs, outputs) for binding in template.outputs}
    )


def resolve(
    data: literals_pb2.BindingData, inputs: literals_pb2.LiteralMap, outputs: Mapping[str, literals_pb2.LiteralMap]
) -> literals_pb2.Literal:
    """A binding's value; with `union` type info, wrapped as that union variant (as propeller does)."""
    literal = _value(data, inputs, outputs)
    if data.HasField("union"):
        union = literals_pb2.Union(value=literal, type=data.union.targetType)
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(union=union))
    return literal


def _value(
    data: literals_pb2.BindingData, inputs: literals_pb2.LiteralMap, outputs: Mapping[str, literals_pb2.LiteralMap]
) -> literals_pb2.Literal:
    match data.WhichOneof("value"):
        case "scalar":
            return literals_pb2.Literal(scalar=data.scalar)
        case "collection":
            items = [resolve(item, inputs, outputs) for item in data.collection.bindings]
            return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=items))
        case "map":
            entries = {key: resolve(item, inputs, outputs) for key, item in data.map.bindings.items()}
            return literals_pb2.Literal(map=literals_pb2.LiteralMap(literals=entries))
        case "promise":
            source = inputs if data.promise.node_id in BOUND_NODES else outputs[data.promise.node_id]
            if data.promise.var not in source.literals:
                raise KeyError(f"{data.promise.node_id or 'the workflow'} has no output {data.promise.var!r}")
            return _follow(source.literals[data.promise.var], list(data.promise.attr_path))
    raise ValueError(f"cannot resolve a {data.WhichOneof('value') or 'empty'} binding")


def _follow(literal: literals_pb2.Literal, path: list[types_pb2.PromiseAttribute]) -> literals_pb2.Literal:
    """`thresholds.min_quality` in a workflow: a path into a list, a map or a msgpack record.
    A value taken out of msgpack stays msgpack, which flytekit reads for any type."""
    for index, step in enumerate(path):
        key: str | int = step.string_value if step.WhichOneof("value") == "string_value" else step.int_value
        if literal.HasField("collection") and isinstance(key, int):
            literal = literal.collection.literals[key]
        elif literal.HasField("map") and isinstance(key, str):
            literal = literal.map.literals[key]
        elif literal.scalar.binary.tag == "msgpack":
            value = msgpack.unpackb(literal.scalar.binary.value)
            for rest in path[index:]:
                value = value[rest.string_value if rest.WhichOneof("value") == "string_value" else rest.int_value]
            packed = msgpack.packb(value)
            return literals_pb2.Literal(
                scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=packed, tag="msgpack"))
            )
        else:
            raise KeyError(f"cannot follow {key!r} into a {literal.WhichOneof('value')} literal")
    return literal
