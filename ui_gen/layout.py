"""A form laid out by Latch's `flow:`: headings, Markdown, fields, panels (a spoiler is a
collapsed panel) and choices (a fork: one branch shown, its key stored in a parameter).

The fields of a branch not chosen are neither shown nor required; `inactive` tells the
validator which those are for a given submission, so browser and server agree. A
parameter the flow does not place is shown after it, under "Other parameters".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ui_gen import flow as latch

OTHERS = "Other parameters"


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    text: str


@dataclass(frozen=True)
class Markdown:
    kind: ClassVar[str] = "markdown"
    text: str


@dataclass(frozen=True)
class Fields:
    kind: ClassVar[str] = "fields"
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Panel:
    kind: ClassVar[str] = "panel"
    title: str
    blocks: tuple[Block, ...]
    collapsed: bool = False


@dataclass(frozen=True)
class Branch:
    kind: ClassVar[str] = "branch"
    value: str
    label: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Choice:
    """Parameter `key` holds the chosen branch's `value`."""

    kind: ClassVar[str] = "choice"

    key: str
    label: str
    branches: tuple[Branch, ...]


Block = Heading | Markdown | Fields | Panel | Choice


def build_layout(flow: Sequence[latch.FlowElement], keys: Sequence[str], *, required: set[str]) -> tuple[Block, ...]:
    """Blocks for `flow`, then the parameters it leaves out (open if one is required).
    A parameter named twice is shown once, where it is first named."""
    placed: set[str] = set()
    blocks = _blocks(flow, placed)
    rest = tuple(key for key in keys if key not in placed)
    if rest:
        blocks += (Panel(OTHERS, (Fields(rest),), collapsed=not (set(rest) & required)),)
    return blocks


def _blocks(flow: Sequence[latch.FlowElement], placed: set[str]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for element in flow:
        match element:
            case latch.Title(title=text):
                blocks.append(Heading(text))
            case latch.Text(text=text):
                blocks.append(Markdown(text))
            case latch.Params(params=params):
                fresh = tuple(dict.fromkeys(key for key in params if key not in placed))
                placed.update(fresh)
                if fresh:
                    blocks.append(Fields(fresh))
            case latch.Section(section=title, flow=inner):
                blocks.append(Panel(title, _blocks(inner, placed)))
            case latch.Spoiler(spoiler=title, flow=inner):
                blocks.append(Panel(title, _blocks(inner, placed), collapsed=True))
            case latch.Fork(fork=key, display_name=label, flows=branches):
                placed.add(key)
                blocks.append(
                    Choice(
                        key,
                        label,
                        tuple(Branch(v, b.display_name or v, _blocks(b.flow, placed)) for v, b in branches.items()),
                    )
                )
    return tuple(blocks)


def choices(blocks: Sequence[Block]) -> Iterator[Choice]:
    for block in blocks:
        match block:
            case Choice(branches=branches):
                yield block
                for branch in branches:
                    yield from choices(branch.blocks)
            case Panel(blocks=inner):
                yield from choices(inner)


def keys_in(blocks: Sequence[Block]) -> Iterator[str]:
    """Every parameter the blocks show, choices' own parameters included."""
    for block in blocks:
        match block:
            case Fields(keys=keys):
                yield from keys
            case Panel(blocks=inner):
                yield from keys_in(inner)
            case Choice(key=key, branches=branches):
                yield key
                for branch in branches:
                    yield from keys_in(branch.blocks)


def branch_keys(blocks: Sequence[Block]) -> set[str]:
    """Parameters inside some branch: required only when their branch is chosen."""
    return {key for choice in choices(blocks) for branch in choice.branches for key in keys_in(branch.blocks)}


def inactive(blocks: Sequence[Block], values: Mapping[str, Any]) -> dict[str, str]:
    """Parameter → the choice parameter whose chosen value hides it, for this submission."""
    hidden: dict[str, str] = {}
    for choice in choices(blocks):
        if choice.key in hidden:
            continue  # the choice itself is hidden: all its branches are
        for branch in choice.branches:
            if values.get(choice.key) != branch.value:
                for key in keys_in(branch.blocks):
                    hidden.setdefault(key, choice.key)
    return hidden


def layout_json(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """The blocks as JSON for other clients (the form's JSON Schema `x-layout`): each has
    its `kind`; a choice's branches are keyed by the value its parameter takes."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        match block:
            case Heading(text=text) | Markdown(text=text):
                out.append({"kind": block.kind, "text": text})
            case Fields(keys=keys):
                out.append({"kind": block.kind, "fields": list(keys)})
            case Panel(title=title, blocks=inner, collapsed=collapsed):
                out.append({"kind": block.kind, "title": title, "collapsed": collapsed, "blocks": layout_json(inner)})
            case Choice(key=key, label=label, branches=branches):
                out.append(
                    {
                        "kind": block.kind,
                        "field": key,
                        "title": label,
                        "branches": {b.value: {"title": b.label, "blocks": layout_json(b.blocks)} for b in branches},
                    }
                )
    return out
