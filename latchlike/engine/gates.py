"""Gate nodes, decided without a database: `sleep` succeeds once its time has passed;
`approve` and `wait_for_input` wait for a signal and fail past the node's timeout.

As in Flyte, an approval passes its input on as its output (`approve(x, ...)` is `x` once
approved) and a rejection fails the node; `wait_for_input`'s value is its one output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flyteidl.core import literals_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from latchlike.engine.phases import FAILED, RUNNING, SUCCEEDED

BOOLEAN = types_pb2.LiteralType(simple=types_pb2.SimpleType.BOOLEAN)


@dataclass(frozen=True)
class Waited:
    """What a gate says now: still RUNNING, or SUCCEEDED with its outputs, or FAILED."""

    phase: str
    error: str | None = None
    outputs: literals_pb2.LiteralMap | None = None


def signal_of(gate: core_workflow_pb2.GateNode) -> tuple[str, types_pb2.LiteralType] | None:
    """The signal (id and type) a gate waits for; None for a sleep."""
    match gate.WhichOneof("condition"):
        case "approve":
            return gate.approve.signal_id, BOOLEAN
        case "signal":
            return gate.signal.signal_id, gate.signal.type
    return None


def decide(
    node: core_workflow_pb2.Node,
    *,
    started_at: datetime,
    now: datetime,
    signal: literals_pb2.Literal | None,
    inputs: literals_pb2.LiteralMap,
) -> Waited:
    gate = node.gate_node
    waited = now - started_at
    match gate.WhichOneof("condition"):
        case "sleep":
            done = waited >= gate.sleep.duration.ToTimedelta()
            return Waited(SUCCEEDED, outputs=literals_pb2.LiteralMap()) if done else Waited(RUNNING)
        case "approve":
            if signal is not None:
                if signal.scalar.primitive.boolean:
                    return Waited(SUCCEEDED, outputs=inputs)
                return Waited(FAILED, f"{gate.approve.signal_id!r} was rejected")
            return _timed_out(node, waited, gate.approve.signal_id)
        case "signal":
            if signal is not None:
                outputs = literals_pb2.LiteralMap(literals={gate.signal.output_variable_name: signal})
                return Waited(SUCCEEDED, outputs=outputs)
            return _timed_out(node, waited, gate.signal.signal_id)
    return Waited(FAILED, f"node {node.id} is a gate without a condition")


def _timed_out(node: core_workflow_pb2.Node, waited: timedelta, signal_id: str) -> Waited:
    timeout = _timeout(node)
    if timeout is not None and waited >= timeout:
        return Waited(FAILED, f"no one gave {signal_id!r} within its timeout of {timeout}")
    return Waited(RUNNING)


def _timeout(node: core_workflow_pb2.Node) -> timedelta | None:
    timeout = node.metadata.timeout.ToTimedelta() if node.metadata.HasField("timeout") else timedelta(0)
    return timeout if timeout > timedelta(0) else None
