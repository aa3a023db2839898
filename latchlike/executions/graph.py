"""The workflow as a picture: its top-level nodes in layers (each node one layer right of
its furthest upstream node), with the phase each is in and, for a map task, how many
items are done. Pure layout; the execution page draws it as SVG."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from flyteidl.core import workflow_pb2 as core_workflow_pb2
from pydantic import BaseModel

from latchlike.engine.dag import steps

NODE_WIDTH, NODE_HEIGHT, LAYER_GAP, ROW_GAP = 170, 46, 60, 18
_MAPPED = re.compile(r"map_(\w+?)_[0-9a-f]{32}(?:-arraynode)?")
"""flytekit's name for a map task's node: `map_<task>_<digest>-arraynode`."""
_KIND = {"task_node": "task", "workflow_node": "sub-workflow", "branch_node": "conditional", "array_node": "map task",
         "gate_node": "gate"}  # fmt: skip


class GraphNode(BaseModel):
    node_id: str
    label: str
    kind: str
    phase: str
    """The latest attempt's phase, or PENDING before the node starts."""
    detail: str
    x: int
    y: int


class GraphEdge(BaseModel):
    x1: int
    y1: int
    x2: int
    y2: int


class Graph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: int
    height: int


def workflow_graph(
    template: core_workflow_pb2.WorkflowTemplate, phases: Mapping[str, str], items: Mapping[str, Counter[str]]
) -> Graph:
    """`phases`: the latest phase by top-level node id; `items`: a map task's item phases."""
    found = steps(template)  # upstream first; nodes in a cycle last, laid out after what they wait for
    layers: dict[str, int] = {}
    rows: Counter[int] = Counter()
    nodes: dict[str, GraphNode] = {}
    for node_id, step in found.items():
        column = layers[node_id] = 1 + max((layers[up] for up in step.upstream if up in layers), default=-1)
        kind = _KIND.get(step.node.WhichOneof("target") or "", "node")
        if step.node.workflow_node.HasField("launchplan_ref"):
            kind = "launch plan"
        counts = items.get(node_id, Counter())
        detail = f"{counts['SUCCEEDED']}/{sum(counts.values())} items" if kind == "map task" and counts else kind
        nodes[node_id] = GraphNode(
            node_id=node_id,
            label=_label(step.node),
            kind=kind,
            phase=phases.get(node_id, "PENDING"),
            detail=detail,
            x=column * (NODE_WIDTH + LAYER_GAP),
            y=rows[column] * (NODE_HEIGHT + ROW_GAP),
        )
        rows[column] += 1
    edges = [
        GraphEdge(
            x1=nodes[up].x + NODE_WIDTH, y1=nodes[up].y + NODE_HEIGHT // 2, x2=node.x, y2=node.y + NODE_HEIGHT // 2
        )
        for node_id, node in nodes.items()
        for up in sorted(found[node_id].upstream)
        if up in nodes
    ]
    width = max((n.x + NODE_WIDTH for n in nodes.values()), default=0)
    height = max((n.y + NODE_HEIGHT for n in nodes.values()), default=0)
    return Graph(nodes=list(nodes.values()), edges=edges, width=width, height=height)


def _label(node: core_workflow_pb2.Node) -> str:
    """What flytekit names the node (the task's function name), shortened to fit."""
    name = (node.metadata.name or node.id).rsplit(".", 1)[-1]
    mapped = _MAPPED.fullmatch(name)
    if mapped:
        name = f"map {mapped.group(1)}"
    return name if len(name) <= 22 else name[:21] + "…"
