"""Every id part is checked in one place, whatever built it: a URL, a form or a gRPC message."""

from __future__ import annotations

import pytest

from latchlike.errors import InvalidArgument
from latchlike.executions.service import ExecutionKey
from latchlike.specs.ids import MAX_ID_PART, EntityId, NamedEntityKey, ResourceKind


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: NamedEntityKey(ResourceKind.WORKFLOW, "flytesnacks", "development", "a\x00b"), "workflow name"),
        (lambda: EntityId(ResourceKind.TASK, "flytesnacks", "development", "t", "v\x00"), "task version"),
        (lambda: EntityId(ResourceKind.TASK, "flytesnacks", "dev\ud800", "t", "v1"), "task domain"),
        (lambda: ExecutionKey("flytesnacks", "development", "x" * (MAX_ID_PART + 1)), "execution name is longer"),
        (lambda: ExecutionKey("flyte\nsnacks", "development", "abc"), "execution project"),
    ],
)
def test_control_characters_surrogates_and_overlong_parts_are_invalid_arguments(build: object, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        build()  # type: ignore[operator]


def test_ordinary_ids_still_build() -> None:
    assert str(ExecutionKey("flytesnacks", "development", "abc")) == "flytesnacks/development/abc"
    assert NamedEntityKey(ResourceKind.WORKFLOW, "p", "d", "workflows.hello.hello_world").name.endswith("world")
