"""Inputs sent as literals (gRPC CreateExecution) are checked against the declared types at
launch: what flytekit itself makes always fits; a wrong type is refused naming the input."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
from flyteidl.core import literals_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine

from latchlike.errors import InvalidArgument
from latchlike.executions.launching import launch_with_literals
from latchlike.executions.literal_check import misfit
from latchlike.platform import Platform
from latchlike.specs.ids import EntityId, ResourceKind


class Color(Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Window:
    size: int
    label: str


def literal(value: Any, python_type: Any) -> tuple[literals_pb2.Literal, Any]:
    """The literal and LiteralType flytekit makes for `value`, as protobufs."""
    context = FlyteContextManager.current_context()
    literal_type = TypeEngine.to_literal_type(python_type)
    made = TypeEngine.to_literal(context, value, python_type, literal_type)
    return made.to_flyte_idl(), literal_type.to_flyte_idl()


@pytest.mark.parametrize(
    ("value", "python_type"),
    [
        (3, int), (0.5, float), ("s", str), (True, bool), ([1, 2], list[int]), ({"a": 0.1}, dict[str, float]),
        (None, int | None), (4, int | None), (Color.BLUE, Color), (Window(3, "w"), Window),
        ([[1], [2, 3]], list[list[int]]),
    ],
)  # fmt: skip
def test_what_flytekit_makes_fits_its_own_type(value: Any, python_type: Any) -> None:
    made, literal_type = literal(value, python_type)
    assert misfit(made, literal_type) is None


@pytest.mark.parametrize(
    ("value", "python_type", "declared", "reason"),
    [
        ("3", str, int, "is a string, not a integer"),
        (3, int, float, "is a integer, not a float"),
        (3, int, list[int], "is a single value, not a list"),
        ([1, 2], list[int], int, "is a list, not a single value"),
        (["x"], list[str], list[int], "has an item that is a string, not a integer"),
        ("green", str, Color, "is not one of red, blue"),
        ("x", str, int | None, "fits none of the union's types"),
    ],
)
def test_a_wrongly_typed_literal_is_named(value: Any, python_type: Any, declared: Any, reason: str) -> None:
    made, _ = literal(value, python_type)
    assert misfit(made, TypeEngine.to_literal_type(declared).to_flyte_idl()) == reason


def test_create_execution_refuses_a_wrongly_typed_input_naming_it(registered: Platform) -> None:
    made, _ = literal("three", str)
    plan = EntityId(ResourceKind.LAUNCH_PLAN, "flytesnacks", "development", "pipelines.basic.fan", "v1")
    with registered.db.session() as session, pytest.raises(InvalidArgument, match="input 'x' is a string, not a"):
        launch_with_literals(
            session, launch_plan=plan, inputs=literals_pb2.LiteralMap(literals={"x": made}), store=registered.store
        )
    good, _ = literal(3, int)
    with registered.db.session() as session:
        key = launch_with_literals(
            session, launch_plan=plan, inputs=literals_pb2.LiteralMap(literals={"x": good}), store=registered.store
        )
    assert key.project == "flytesnacks"
