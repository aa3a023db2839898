"""One byte range per request, as RFC 9110 reads it; anything else is the whole body."""

from __future__ import annotations

import pytest

from latchlike.web.ranges import Unsatisfiable, byte_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None), ("bytes=0-9", (0, 9)), ("bytes=90-", (90, 99)), ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)), ("bytes=50-500", (50, 99)), ("bytes=0-1,5-6", None), ("items=0-1", None),
        ("bytes=9-3", None), ("bytes=-", None),
    ],
)  # fmt: skip
def test_a_range_is_read_against_the_size(header: str | None, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 100) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0), ("bytes=-1", 0)])
def test_a_range_outside_the_file_is_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(Unsatisfiable):
        byte_range(header, size)
