"""Gate decisions, without a database: what a sleep, an approval and an input say over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flyteidl.core import literals_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from latchlike.engine.gates import Waited, decide, signal_of

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
INPUTS = literals_pb2.LiteralMap(
    literals={"o0": literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=4)))}
)


def _node(gate: core_workflow_pb2.GateNode, timeout_seconds: int = 0) -> core_workflow_pb2.Node:
    node = core_workflow_pb2.Node(id="n1", gate_node=gate)
    if timeout_seconds:
        node.metadata.timeout.FromTimedelta(timedelta(seconds=timeout_seconds))
    return node


def _at(node: core_workflow_pb2.Node, seconds: float, signal: literals_pb2.Literal | None = None) -> Waited:
    return decide(node, started_at=START, now=START + timedelta(seconds=seconds), signal=signal, inputs=INPUTS)


def _boolean(value: bool) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=value)))


def test_a_sleep_runs_until_its_duration_has_passed() -> None:
    sleep = core_workflow_pb2.GateNode(sleep=core_workflow_pb2.SleepCondition())
    sleep.sleep.duration.FromTimedelta(timedelta(seconds=5))
    node = _node(sleep, timeout_seconds=1)  # flytekit's default node timeout does not cut a sleep short
    assert signal_of(sleep) is None
    assert _at(node, 4.9).phase == "RUNNING"
    assert _at(node, 5) == Waited("SUCCEEDED", outputs=literals_pb2.LiteralMap())


def test_an_approval_passes_its_input_on_or_fails_when_rejected_or_late() -> None:
    gate = core_workflow_pb2.GateNode(approve=core_workflow_pb2.ApproveCondition(signal_id="review"))
    node = _node(gate, timeout_seconds=60)
    assert signal_of(gate) == ("review", types_pb2.LiteralType(simple=types_pb2.SimpleType.BOOLEAN))
    assert _at(node, 59).phase == "RUNNING"
    assert _at(node, 59, _boolean(True)) == Waited("SUCCEEDED", outputs=INPUTS)
    assert _at(node, 1, _boolean(False)) == Waited("FAILED", "'review' was rejected")
    late = _at(node, 60)
    assert late.phase == "FAILED" and late.error is not None and "within its timeout of 0:01:00" in late.error


def test_an_input_becomes_the_gates_one_output_and_waits_forever_without_a_timeout() -> None:
    string = types_pb2.LiteralType(simple=types_pb2.SimpleType.STRING)
    gate = core_workflow_pb2.GateNode(
        signal=core_workflow_pb2.SignalCondition(signal_id="name", type=string, output_variable_name="o0")
    )
    node = _node(gate)
    value = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="ada")))
    assert _at(node, 10**6).phase == "RUNNING"
    assert _at(node, 1, value) == Waited("SUCCEEDED", outputs=literals_pb2.LiteralMap(literals={"o0": value}))
