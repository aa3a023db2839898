"""Which bindings registration accepts, over the types flytekit itself writes for Python
types: everything flytekit can pass from one to the other, nothing that cannot work."""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass

import pytest
from flytekit.core.type_engine import TypeEngine
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset

from latchlike.specs.type_check import can_feed


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Sample:
    name: str
    reads: int


@dataclass
class Renamed:
    name: str


def _feeds(source: object, target: object) -> bool:
    return can_feed(
        TypeEngine.to_literal_type(typing.cast(type, source)).to_flyte_idl(),
        TypeEngine.to_literal_type(typing.cast(type, target)).to_flyte_idl(),
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (int, int), (str, str), (int, int | None), (int | None, int | None),
        (int | None, int),  # flytekit unwraps a set Optional at run time
        (int, int | str), (int | str, str | int | float),
        (list[int], list[int | None]), (dict[str, int], dict[str, int]),
        (Sample, Sample), (Sample, Renamed), (dict, Sample), (Sample, dict),
        (FlyteFile, FlyteFile), (FlyteFile[typing.TypeVar("csv")], FlyteFile),  # type: ignore[misc]
        (FlyteDirectory, FlyteDirectory), (Color, Color), (Color, str), (str, Color),
        (StructuredDataset, StructuredDataset), (list[list[FlyteFile]], list[list[FlyteFile]]),
    ],
)  # fmt: skip
def test_what_flytekit_can_pass_is_accepted(source: object, target: object) -> None:
    assert _feeds(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (int, FlyteFile), (str, int), (int, float), (FlyteFile, FlyteDirectory), (FlyteDirectory, FlyteFile),
        (list[int], str), (int, list[int]), (list[int], list[str]), (dict[str, int], dict[str, str]),
        (int | str, float), (str | None, int | None), (Color, int),
    ],
)  # fmt: skip
def test_what_cannot_work_is_refused(source: object, target: object) -> None:
    assert not _feeds(source, target)
