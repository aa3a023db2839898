"""Previews of values on execution pages: short, and as cheap for a huge value as a small one."""

from __future__ import annotations

import tracemalloc

from flyteidl.core import literals_pb2

from ui_gen.adapters.previews import PREVIEW_CHARS, literal_preview


def _string(text: str) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=text)))


def _peak_bytes_of_preview(literal: literals_pb2.Literal) -> tuple[str, int]:
    tracemalloc.start()
    try:
        preview = literal_preview(literal)
        return preview, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_list_of_a_million_lines_previews_its_first_items_only() -> None:
    many = literals_pb2.Literal(
        collection=literals_pb2.LiteralCollection(literals=[_string("Hello, world!")] * 200_000)
    )
    preview, peak = _peak_bytes_of_preview(many)
    assert preview.startswith('["Hello, world!", "Hello, world!"') and preview.endswith("…")
    assert len(preview) == PREVIEW_CHARS
    assert peak < 1_000_000  # reading every item would build megabytes of Python objects


def test_a_huge_string_and_a_huge_map_preview_cheaply() -> None:
    preview, peak = _peak_bytes_of_preview(_string("x" * 20_000_000))
    assert preview == '"' + "x" * (PREVIEW_CHARS - 2) + "…"
    assert peak < 21_000_000  # protobuf hands the string over whole; nothing copies it again
    mapping = literals_pb2.Literal(
        map=literals_pb2.LiteralMap(literals={f"k{i}": _string("v") for i in range(100_000)})
    )
    preview, peak = _peak_bytes_of_preview(mapping)
    assert preview.startswith('{"k') and len(preview) == PREVIEW_CHARS
    assert peak < 1_000_000


def test_small_values_read_as_before() -> None:
    pair = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[_string("a"), _string("b")]))
    assert literal_preview(pair) == '["a", "b"]'
