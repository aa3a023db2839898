"""Unions flytekit cannot read back: record branches where one branch holds every field of
another (Latch's `Union[SingleEndReads, PairedEndReads]`).

flytekit tags every record variant alike ("Object-Dataclass-Transformer") and its decoder
ignores extra keys, so a PairedEndReads value decodes as either branch: as a workflow input
flytekit refuses it as ambiguous, and inside a record (msgpack, no tag at all) it silently
becomes the first branch that fits. No literal can carry a tag flytekit would honour, so
registration warns instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from ui_gen.schema import InterfaceSpec, TypeSpec


def ambiguous_unions(interface: InterfaceSpec) -> list[str]:
    """One warning per union of records in the inputs whose branches flytekit confuses."""
    return [f"{p.name}: {warning}" for p in interface.inputs for warning in _warnings(p.type)]


def _warnings(kind: TypeSpec) -> Iterator[str]:
    if kind.kind == "union":
        records = [branch for branch in kind.children if branch.kind == "struct"]
        for i, smaller in enumerate(records):
            for j, larger in enumerate(records):
                names, more = _field_names(smaller), _field_names(larger)
                if i != j and names <= more and (names != more or i < j):
                    yield (
                        f"a {larger.title or 'record'} has every field of a {smaller.title or 'record'}, so flytekit "
                        f"cannot tell them apart: as an input it refuses a {larger.title or 'record'} as ambiguous, "
                        "inside a record it reads one as the first branch that fits. Give each branch a required field "
                        "of its own."
                    )
    for child in (*kind.children, *(f.type for f in kind.fields)):
        yield from _warnings(child)


def _field_names(record: TypeSpec) -> frozenset[str]:
    return frozenset(f.name for f in record.fields)
