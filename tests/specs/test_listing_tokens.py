"""A page token this server did not issue is an INVALID_ARGUMENT, whatever its size."""

from __future__ import annotations

import pytest

from latchlike.errors import InvalidArgument
from latchlike.executions.service import list_executions_page
from latchlike.platform import Platform
from latchlike.specs.listing import parse_query


@pytest.mark.parametrize("token", ["9" * 30, "1" * 5000, "-1", "x", "1e3", "\x00", "\ud800", " 7"])
def test_a_huge_or_garbage_token_is_refused(token: str) -> None:
    with pytest.raises(InvalidArgument, match="page token") as caught:
        parse_query(filters="", sort_key="", descending=True, limit=10, token=token)
    assert len(caught.value.message) < 120  # the token is not echoed whole


def test_issued_tokens_still_page(platform: Platform) -> None:
    query = parse_query(filters="", sort_key="", descending=True, limit=10, token="20")
    assert query.offset == 20
    with platform.db.session() as session:
        assert list_executions_page(session, project="flytesnacks", domain="development", query=query) == ([], "")
