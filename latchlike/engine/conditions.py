"""Branch nodes: which case a conditional takes, decided from the branch node's inputs as
propeller does (operands are literals, the branch node's input variables, or constants)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from flyteidl.core import condition_pb2, literals_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2


class BranchFailed(Exception):
    """No case matched and the conditional ends in `.fail(message)`."""


_Comparable = Any
"""A literal's Python value: int, float, str, bool, datetime, timedelta or None."""
_COMPARE: dict[int, Callable[[_Comparable, _Comparable], bool]] = {
    condition_pb2.ComparisonExpression.EQ: operator.eq,
    condition_pb2.ComparisonExpression.NEQ: operator.ne,
    condition_pb2.ComparisonExpression.GT: operator.gt,
    condition_pb2.ComparisonExpression.GTE: operator.ge,
    condition_pb2.ComparisonExpression.LT: operator.lt,
    condition_pb2.ComparisonExpression.LTE: operator.le,
}


def chosen_node(branch: core_workflow_pb2.BranchNode, inputs: literals_pb2.LiteralMap) -> core_workflow_pb2.Node:
    """The node of the first case whose condition holds, else the else node."""
    if_else = branch.if_else
    for case in (if_else.case, *if_else.other):
        if holds(case.condition, inputs):
            return case.then_node
    if if_else.HasField("else_node"):
        return if_else.else_node
    raise BranchFailed(if_else.error.message or "no case of the conditional matched")


def holds(expression: condition_pb2.BooleanExpression, inputs: literals_pb2.LiteralMap) -> bool:
    if expression.HasField("conjunction"):
        conjunction = expression.conjunction
        left = holds(conjunction.left_expression, inputs)
        if conjunction.operator == condition_pb2.ConjunctionExpression.AND:
            return left and holds(conjunction.right_expression, inputs)
        return left or holds(conjunction.right_expression, inputs)
    comparison = expression.comparison
    left_value = _operand(comparison.left_value, inputs)
    right_value = _operand(comparison.right_value, inputs)
    try:
        return _COMPARE[comparison.operator](left_value, right_value)
    except TypeError as error:
        raise BranchFailed(f"cannot compare {left_value!r} with {right_value!r}: {error}") from error


def _operand(operand: condition_pb2.Operand, inputs: literals_pb2.LiteralMap) -> _Comparable:
    match operand.WhichOneof("val"):
        case "primitive":
            return _primitive(operand.primitive)
        case "scalar":
            return _scalar(operand.scalar)
        case "var":
            if operand.var not in inputs.literals:
                raise BranchFailed(f"the condition reads {operand.var!r}, which the branch node was not given")
            return _scalar(inputs.literals[operand.var].scalar)
    raise BranchFailed("a condition has an empty operand")


def _scalar(scalar: literals_pb2.Scalar) -> _Comparable:
    match scalar.WhichOneof("value"):
        case "primitive":
            return _primitive(scalar.primitive)
        case "none_type":
            return None
        case "union":
            return _scalar(scalar.union.value.scalar)
    raise BranchFailed(f"a condition cannot compare a {scalar.WhichOneof('value') or 'missing'} value")


def _primitive(primitive: literals_pb2.Primitive) -> _Comparable:
    match primitive.WhichOneof("value"):
        case "integer":
            return primitive.integer
        case "float_value":
            return primitive.float_value
        case "string_value":
            return primitive.string_value
        case "boolean":
            return primitive.boolean
        case "datetime":
            return primitive.datetime.ToDatetime()
        case "duration":
            return primitive.duration.ToTimedelta()
    raise BranchFailed("a condition has an empty value")
