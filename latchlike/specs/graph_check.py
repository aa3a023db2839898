"""What FlyteAdmin's compiler refuses in a workflow's graph, checked at registration so an
execution never starts that can never finish: a node waiting for a node that does not
exist, nodes waiting on each other in a cycle, and a binding whose value cannot feed the
input it is bound to. Each check is lenient where in doubt (see `type_check`)."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator, Mapping

from flyteidl.admin import task_pb2, workflow_pb2
from flyteidl.core import interface_pb2, literals_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from latchlike.errors import InvalidArgument
from latchlike.specs.compiler import BOUND_NODES, entity_id
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.type_check import LOOSE_SIMPLE as _LOOSE
from latchlike.specs.type_check import can_feed, element


def check_graph(spec: workflow_pb2.WorkflowSpec, tasks: Mapping[EntityId, task_pb2.TaskClosure]) -> None:
    """Raises `InvalidArgument` naming the nodes at fault; `tasks` holds every referenced task."""
    task_interfaces = {key: closure.compiled_task.template.interface for key, closure in tasks.items()}
    subs = {entity_id(sub.id, ResourceKind.WORKFLOW): sub.interface for sub in spec.sub_workflows}
    for template in [spec.template, *spec.sub_workflows]:
        where = f"workflow {template.id.name}"
        nodes = {node.id: node for node in template.nodes}
        upstream = {node.id: _upstream(node) for node in template.nodes}
        known = {*nodes, *BOUND_NODES}
        unknown = [f"{node_id} waits for {s}" for node_id, sources in upstream.items() for s in sorted(sources - known)]
        unknown += [
            f"its outputs read {ref.node_id}"
            for binding in template.outputs
            for ref in promises(binding.binding)
            if ref.node_id not in known
        ]
        if unknown:
            raise InvalidArgument(f"{where} refers to nodes it does not have: {'; '.join(unknown)}")
        cycle = find_cycle(upstream)
        if cycle:
            raise InvalidArgument(f"{where} has a cycle: nodes {' ← '.join(cycle)} wait on each other")
        types = BindingTypes(template, nodes, task_interfaces, subs)
        errors = [error for node in template.nodes for typed in _typed_nodes(node) for error in types.check_node(typed)]
        errors += types.check_bindings("its outputs", template.outputs, template.interface.outputs)
        if errors:
            raise InvalidArgument(f"{where} has bindings that cannot work: {'; '.join(errors)}")


def promises(data: literals_pb2.BindingData) -> list[types_pb2.OutputReference]:
    """Every output a binding reads, inside lists and maps too."""
    match data.WhichOneof("value"):
        case "promise":
            return [data.promise]
        case "collection":
            return [ref for item in data.collection.bindings for ref in promises(item)]
        case "map":
            return [ref for item in data.map.bindings.values() for ref in promises(item)]
    return []


def topological_order(upstream: Mapping[str, Collection[str]]) -> list[str]:
    """Node ids, each after the ids it waits for, ties in the given order; the ids that can
    never come (in a cycle, or after an unknown id) follow in the given order."""
    position = {node_id: index for index, node_id in enumerate(upstream)}
    missing = {node_id: len(set(sources)) for node_id, sources in upstream.items()}
    downstream: dict[str, list[str]] = {}
    for node_id, sources in upstream.items():
        for source in set(sources):
            downstream.setdefault(source, []).append(node_id)
    ready = [position[node_id] for node_id, count in missing.items() if count == 0]
    heapq.heapify(ready)
    names, ordered = list(upstream), list[str]()
    while ready:
        node_id = names[heapq.heappop(ready)]
        ordered.append(node_id)
        for target in downstream.get(node_id, []):
            missing[target] -= 1
            if missing[target] == 0:
                heapq.heappush(ready, position[target])
    placed = set(ordered)
    return ordered + [node_id for node_id in names if node_id not in placed]


def _upstream(node: core_workflow_pb2.Node) -> set[str]:
    """What a node waits for: `a >> b` and the outputs its bindings (and its branch cases' or
    mapped node's) read."""
    read = {ref.node_id for inner in _scope_nodes(node) for b in inner.inputs for ref in promises(b.binding)}
    return (set(node.upstream_node_ids) | read) - set(BOUND_NODES)


def _scope_nodes(node: core_workflow_pb2.Node) -> Iterator[core_workflow_pb2.Node]:
    """The node and the nodes inside it whose bindings read its template's scope."""
    yield node
    for case in _cases(node):
        yield from _scope_nodes(case)
    if node.HasField("array_node"):
        yield node.array_node.node


def _cases(node: core_workflow_pb2.Node) -> list[core_workflow_pb2.Node]:
    if not node.HasField("branch_node"):
        return []
    if_else = node.branch_node.if_else
    cases = [if_else.case.then_node, *(case.then_node for case in if_else.other)]
    return cases + ([if_else.else_node] if if_else.HasField("else_node") else [])


def _typed_nodes(node: core_workflow_pb2.Node) -> Iterator[core_workflow_pb2.Node]:
    """Nodes whose inputs are their target's inputs: not a branch node (its inputs feed its
    conditions) nor an array node (its inputs are lists of its task's)."""
    if node.HasField("branch_node"):
        for case in _cases(node):
            yield from _typed_nodes(case)
    elif not node.HasField("array_node"):
        yield node


def find_cycle(upstream: Mapping[str, Collection[str]]) -> list[str]:
    """One cycle among the nodes that can never be ready, or nothing. Each of them waits
    for another of them (unknown nodes are refused first), so following waits finds one."""
    placed: set[str] = set()
    for node_id in topological_order(upstream):
        if set(upstream[node_id]) <= placed:
            placed.add(node_id)
    if len(placed) == len(upstream):
        return []
    path: list[str] = []
    node_id = next(node_id for node_id in upstream if node_id not in placed)
    while node_id not in path:
        path.append(node_id)
        node_id = min(source for source in upstream[node_id] if source not in placed)
    return [*path[path.index(node_id) :], node_id]


class BindingTypes:
    """The type of every output a template's bindings may read, and the checks against them."""

    def __init__(
        self,
        template: core_workflow_pb2.WorkflowTemplate,
        nodes: Mapping[str, core_workflow_pb2.Node],
        tasks: Mapping[EntityId, interface_pb2.TypedInterface],
        sub_workflows: Mapping[EntityId, interface_pb2.TypedInterface],
    ) -> None:
        self._template, self._nodes, self._tasks, self._subs = template, nodes, tasks, sub_workflows

    def check_node(self, node: core_workflow_pb2.Node) -> list[str]:
        interface = self._interface(node)
        if interface is None:
            return []  # a launch plan, a gate: checked elsewhere or not at all
        return self.check_bindings(f"node {node.id}", node.inputs, interface.inputs)

    def check_bindings(
        self, what: str, bindings: Iterable[literals_pb2.Binding], variables: interface_pb2.VariableMap
    ) -> list[str]:
        errors = []
        for binding in bindings:
            variable = variables.variables.get(binding.var)
            missing = [_reference(ref) for ref in promises(binding.binding) if self._lacks(ref)]
            if variable is None:
                errors.append(f"{what} binds {binding.var!r}, which it does not declare")
            elif missing:
                errors.append(f"{what} reads {', '.join(missing)} for {binding.var!r}, which is not there")
            elif not self._feeds(binding.binding, variable.type):
                errors.append(f"{what} cannot take {binding.var!r} ({_name(variable.type)}) from {_source(binding)}")
        return errors

    def _feeds(self, data: literals_pb2.BindingData, target: types_pb2.LiteralType) -> bool:
        match data.WhichOneof("value"):
            case "promise":
                source = self._output_type(data.promise)
                return source is None or can_feed(source, target)
            case "collection" if target.HasField("collection_type"):
                return all(self._feeds(item, target.collection_type) for item in data.collection.bindings)
            case "map" if target.HasField("map_value_type"):
                return all(self._feeds(item, target.map_value_type) for item in data.map.bindings.values())
            case "collection" | "map":
                # A list or dict of values into a union, a dataclass or a dict: flytekit decides.
                return target.WhichOneof("type") not in ("blob", "enum_type") and not (
                    target.HasField("simple") and target.simple not in _LOOSE
                )
        return True  # a literal value: flytekit wrote it for this very input

    def _lacks(self, ref: types_pb2.OutputReference) -> bool:
        variables = self._variables(ref)
        return variables is not None and ref.var not in variables

    def _variables(self, ref: types_pb2.OutputReference) -> Mapping[str, interface_pb2.Variable] | None:
        """What a reference can read: the workflow's inputs or a node's outputs; None when
        unknown before run time."""
        if ref.node_id in BOUND_NODES:
            return self._template.interface.inputs.variables
        interface = self._interface(self._nodes[ref.node_id])
        return None if interface is None else interface.outputs.variables

    def _output_type(self, ref: types_pb2.OutputReference) -> types_pb2.LiteralType | None:
        """None when unknown before run time: then the binding is accepted."""
        variables = self._variables(ref)
        if variables is None or ref.var not in variables:
            return None
        found: types_pb2.LiteralType | None = variables[ref.var].type
        for step in ref.attr_path:
            if found is None:
                break
            found = element(found, step.string_value if step.WhichOneof("value") == "string_value" else step.int_value)
        return found

    def _interface(self, node: core_workflow_pb2.Node) -> interface_pb2.TypedInterface | None:
        """A map task's mapped task is registered with its interface in lists already."""
        if node.HasField("array_node"):
            node = node.array_node.node
        if node.HasField("task_node"):
            return self._tasks.get(entity_id(node.task_node.reference_id, ResourceKind.TASK))
        if node.HasField("workflow_node") and node.workflow_node.HasField("sub_workflow_ref"):
            return self._subs.get(entity_id(node.workflow_node.sub_workflow_ref, ResourceKind.WORKFLOW))
        return None


def _name(literal_type: types_pb2.LiteralType) -> str:
    kind = literal_type.WhichOneof("type")
    if kind == "simple":
        return types_pb2.SimpleType.Name(literal_type.simple).lower()
    return (kind or "untyped").removesuffix("_type")


def _source(binding: literals_pb2.Binding) -> str:
    data = binding.binding
    return _reference(data.promise) if data.HasField("promise") else f"a {data.WhichOneof('value')} of values"


def _reference(ref: types_pb2.OutputReference) -> str:
    return f"{ref.node_id}.{ref.var}" if ref.node_id not in BOUND_NODES else f"workflow input {ref.var!r}"
