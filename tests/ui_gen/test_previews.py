"""Previews of any literal flytekit can write never fail and stay one short line."""

from __future__ import annotations

import datetime
import enum
import typing
from dataclasses import dataclass
from typing import Any

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from google.protobuf.struct_pb2 import Struct
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ui_gen.adapters.previews import PREVIEW_CHARS, literal_preview


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Sample:
    name: str
    reads: int
    ratio: float | None = None


def _flytekit_literal(python_type: Any, value: Any) -> literals_pb2.Literal:
    """What flytekit's own TypeEngine writes for `value` (a task output, a launch input)."""
    context = FlyteContextManager.current_context()
    literal_type = TypeEngine.to_literal_type(python_type)
    return TypeEngine.to_literal(context, value, python_type, literal_type).to_flyte_idl()  # type: ignore[no-any-return]


def _assert_previewed(literal: literals_pb2.Literal) -> None:
    preview = literal_preview(literal)
    assert isinstance(preview, str) and preview
    assert len(preview) <= PREVIEW_CHARS


def test_a_dict_with_integer_keys_previews_as_json() -> None:
    """flytekit packs `dict[int, str]` as msgpack with integer keys (the page used to answer 500)."""
    assert literal_preview(_flytekit_literal(dict[int, str], {1: "a", 2: "b"})) == '{"1": "a", "2": "b"}'


_SCALARS: list[tuple[Any, st.SearchStrategy[Any]]] = [
    (int, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    (float, st.floats()),
    (str, st.text()),
    (bool, st.booleans()),
    (datetime.datetime, st.datetimes(timezones=st.just(datetime.UTC))),
    (datetime.timedelta, st.timedeltas(min_value=datetime.timedelta(days=-9999), max_value=datetime.timedelta(9999))),
    (Colour, st.sampled_from(Colour)),
    (Sample, st.builds(Sample, st.text(), st.integers(-(2**31), 2**31), st.none() | st.floats(allow_nan=False))),
]


def _typed_values() -> st.SearchStrategy[tuple[Any, st.SearchStrategy[Any]]]:
    """(a Python type flytekit registers, a strategy for its values), nested a few levels."""

    def nested(inner: st.SearchStrategy[tuple[Any, st.SearchStrategy[Any]]]) -> st.SearchStrategy[Any]:
        return st.one_of(
            inner.map(lambda t: (list[t[0]], st.lists(t[1], max_size=4))),  # type: ignore[valid-type]
            inner.map(lambda t: (dict[str, t[0]], st.dictionaries(st.text(), t[1], max_size=4))),  # type: ignore[valid-type]
            inner.map(
                lambda t: (dict[int, t[0]], st.dictionaries(st.integers(-(2**31), 2**31), t[1], max_size=4))  # type: ignore[valid-type]
            ),
            inner.map(lambda t: (typing.Optional[t[0]], st.none() | t[1])),  # noqa: UP045
        )

    return st.recursive(st.sampled_from(_SCALARS), nested, max_leaves=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), typed=_typed_values())
def test_every_value_flytekit_writes_previews(data: st.DataObject, typed: tuple[Any, st.SearchStrategy[Any]]) -> None:
    python_type, values = typed
    _assert_previewed(_flytekit_literal(python_type, data.draw(values)))


# Literals built directly, for the kinds no Python value above produces (any msgpack,
# struct, error, offloaded, schema, other binary tags).
_PACKABLE = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | st.text() | st.binary(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text() | st.integers(-(2**31), 2**31) | st.binary(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def _scalar(**value: Any) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(**value))


def _struct(values: dict[str, Any]) -> literals_pb2.Literal:
    generic = Struct()
    generic.update(values)
    return _scalar(generic=generic)


_LEAVES = st.one_of(
    _PACKABLE.map(lambda v: _scalar(binary=literals_pb2.Binary(value=msgpack.packb(v), tag="msgpack"))),
    st.binary(max_size=16).map(lambda b: _scalar(binary=literals_pb2.Binary(value=b, tag="msgpack"))),
    st.binary(max_size=16).map(lambda b: _scalar(binary=literals_pb2.Binary(value=b, tag="other"))),
    st.dictionaries(st.text(), st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(), max_size=3).map(
        _struct
    ),
    st.text().map(lambda m: _scalar(error=types_pb2.Error(failed_node_id="n0", message=m))),
    st.text().map(lambda uri: _scalar(blob=literals_pb2.Blob(uri=uri))),
    st.text().map(lambda uri: _scalar(schema=literals_pb2.Schema(uri=uri))),
    st.text().map(lambda uri: _scalar(structured_dataset=literals_pb2.StructuredDataset(uri=uri))),
    st.text().map(lambda uri: literals_pb2.Literal(offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(uri=uri))),
    st.just(literals_pb2.Literal()),
    st.just(_scalar(none_type=literals_pb2.Void())),
)


def _containers(inner: st.SearchStrategy[literals_pb2.Literal]) -> st.SearchStrategy[literals_pb2.Literal]:
    return st.one_of(
        st.lists(inner, max_size=3).map(
            lambda items: literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=items))
        ),
        st.dictionaries(st.text(), inner, max_size=3).map(
            lambda items: literals_pb2.Literal(map=literals_pb2.LiteralMap(literals=items))
        ),
        inner.map(lambda item: _scalar(union=literals_pb2.Union(value=item))),
    )


@settings(max_examples=300, deadline=None)
@given(literal=st.recursive(_LEAVES, _containers, max_leaves=6))
def test_every_literal_shape_previews(literal: literals_pb2.Literal) -> None:
    _assert_previewed(literal)


def test_an_optional_file_previews_as_its_uri_like_a_plain_file() -> None:
    """An `Optional[FlyteFile]` output arrives as a union holding the blob (the BAM QC's index)."""
    blob = literals_pb2.Literal(scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(uri="s3://bucket/a.bam.bai")))
    union = literals_pb2.Literal(scalar=literals_pb2.Scalar(union=literals_pb2.Union(value=blob)))
    assert literal_preview(union) == literal_preview(blob) == "s3://bucket/a.bam.bai"
