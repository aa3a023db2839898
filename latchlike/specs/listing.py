"""List queries in FlyteAdmin's dialect: `eq(version,v1)+gte(created_at,…)` filters,
a sort key, a limit and an opaque page token (an offset here).

Fields may carry FlyteAdmin's entity prefix (`launch_plan.name`): a column table that names
the prefixed field gets it (an execution's launch plan), otherwise the prefix is the listed
entity's own and is dropped (`workflow.version` when listing workflows)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from latchlike.errors import InvalidArgument

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_FILTER = re.compile(r"^(?P<op>[a-z_]+)\((?P<field>[a-z_.]+),(?P<value>.*)\)$")
# FlyteAdmin's operators (flyteadmin/pkg/common/filters.go); `neq` is kept for old callers.
_OPERATORS = {"eq", "ne", "neq", "gt", "gte", "lt", "lte", "contains", "not_like", "value_in", "value_not_in"}


@dataclass(frozen=True)
class Filter:
    op: str
    field: str
    value: str


@dataclass(frozen=True)
class ListQuery:
    filters: tuple[Filter, ...] = ()
    sort_key: str = "created_at"
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    offset: int = 0


MAX_OFFSET = 2**62


def parse_query(*, filters: str, sort_key: str, descending: bool, limit: int, token: str) -> ListQuery:
    if limit < 0:
        raise InvalidArgument(f"limit must not be negative, got {limit}")
    refused = InvalidArgument(f"page token {token[:40]!r} is not one this server issued")
    if token and not (token.isascii() and token.isdigit() and len(token) <= len(str(MAX_OFFSET))):
        raise refused
    offset = int(token) if token else 0
    if offset > MAX_OFFSET:  # a database offset is a 64-bit integer
        raise refused
    return ListQuery(
        filters=tuple(_parse_filter(part) for part in filters.split("+") if part.strip()),
        sort_key=sort_key or "created_at",
        descending=descending,
        limit=min(limit or DEFAULT_LIMIT, MAX_LIMIT),
        offset=offset,
    )


def _parse_filter(text: str) -> Filter:
    match = _FILTER.match(text.strip())
    if not match or match["op"] not in _OPERATORS:
        raise InvalidArgument(f"cannot read filter {text!r}; expected e.g. eq(version,v1)")
    return Filter(match["op"], match["field"], match["value"])


def apply(
    statement: Select[Any],
    query: ListQuery,
    columns: dict[str, InstrumentedAttribute[Any]],
) -> Select[Any]:
    """Filter, sort and page `statement`; `columns` names what may be filtered or sorted."""
    for flt in query.filters:
        column = _column(columns, flt.field)
        values = [_coerce(column, value) for value in flt.value.split(";")]
        statement = statement.where(_condition(flt.op, column, values))
    order = _column(columns, query.sort_key)
    statement = statement.order_by(order.desc() if query.descending else order.asc())
    return statement.offset(query.offset).limit(query.limit)


def next_token(query: ListQuery, returned: int) -> str:
    """Empty when this page was the last one."""
    return str(query.offset + returned) if returned == query.limit else ""


def _column(columns: dict[str, InstrumentedAttribute[Any]], name: str) -> InstrumentedAttribute[Any]:
    try:
        return columns[name] if name in columns else columns[name.rsplit(".", 1)[-1]]
    except KeyError:
        raise InvalidArgument(
            f"cannot filter or sort on {name!r}; known fields: {', '.join(sorted(columns))}"
        ) from None


def _coerce(column: InstrumentedAttribute[Any], value: str) -> Any:
    if column.type.python_type is int:  # e.g. a launch plan's state: eq(state,1)
        try:
            return int(value)
        except ValueError:
            raise InvalidArgument(f"{column.key} filter needs a whole number, got {value!r}") from None
    if column.type.python_type is not datetime:
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"{column.key} filter needs an ISO 8601 time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _condition(op: str, column: InstrumentedAttribute[Any], values: list[Any]) -> Any:
    value = values[0]
    match op:
        case "eq":
            return column == value
        case "ne" | "neq":
            return column != value
        case "gt":
            return column > value
        case "gte":
            return column >= value
        case "lt":
            return column < value
        case "lte":
            return column <= value
        case "contains":
            return column.contains(value, autoescape=True)
        case "not_like":
            return column.not_like(value)
        case "value_not_in":
            return column.not_in(values)
        case _:
            return column.in_(values)
