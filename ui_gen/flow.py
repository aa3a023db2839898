"""Latch's `flow:` layout, as the Latch SDK writes it into a workflow's `__metadata__`.

Elements are told apart by their key (`section`, `text`, `title`, `params`, `spoiler`,
`fork`), as Latch's console does. `ui_gen.layout` turns it into the form's blocks; a
layout naming a parameter the signature lacks is refused at registration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Tag


class _Element(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Title(_Element):
    title: str


class Text(_Element):
    text: str
    """Markdown."""


class Params(_Element):
    params: tuple[str, ...]


class Section(_Element):
    section: str
    flow: tuple[FlowElement, ...] = ()


class Spoiler(_Element):
    """A section shown collapsed."""

    spoiler: str
    flow: tuple[FlowElement, ...] = ()


class ForkBranch(_Element):
    display_name: str = ""
    flow: tuple[FlowElement, ...] = ()


class Fork(_Element):
    """Mutually exclusive branches; the chosen branch's key is stored in parameter `fork`."""

    fork: str
    display_name: str = ""
    flows: dict[str, ForkBranch]


_KINDS = ("section", "spoiler", "fork", "params", "text", "title")


def _kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return type(value).__name__.lower()
    if isinstance(value, dict):
        return next((kind for kind in _KINDS if kind in value), None)
    return None


FlowElement = Annotated[
    Annotated[Section, Tag("section")]
    | Annotated[Spoiler, Tag("spoiler")]
    | Annotated[Fork, Tag("fork")]
    | Annotated[Params, Tag("params")]
    | Annotated[Text, Tag("text")]
    | Annotated[Title, Tag("title")],
    Discriminator(_kind, custom_error_type="flow_element", custom_error_message=f"a flow element has one of {_KINDS}"),
]

for _model in (Section, Spoiler, ForkBranch):
    _model.model_rebuild()


def named_parameters(flow: tuple[FlowElement, ...]) -> Iterator[str]:
    """Every parameter the layout names: in `params`, and as a fork's choice."""
    for element in flow:
        match element:
            case Params(params=params):
                yield from params
            case Section(flow=inner) | Spoiler(flow=inner):
                yield from named_parameters(inner)
            case Fork(fork=choice, flows=branches):
                yield choice
                for branch in branches.values():
                    yield from named_parameters(branch.flow)
