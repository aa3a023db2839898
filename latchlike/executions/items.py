"""A map task's items one page at a time, and one attempt's phase: what the execution page
reads for an array node of 10,000 items without loading the rest of the execution."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.errors import NotFound
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow

ITEM, ARRAY = "item", "array"
MAX_LIMIT = 500


class ItemView(BaseModel):
    index: int
    node_id: str
    attempt: int
    """The latest attempt: the one whose phase counts."""
    phase: str
    error: str | None
    started_at: datetime
    duration_seconds: float | None


class ItemPage(BaseModel):
    node_id: str
    total: int
    """How many items match the phase filter (all items without one)."""
    offset: int
    limit: int
    counts: dict[str, int]
    """How many items are in each phase, whatever the filter."""
    items: list[ItemView]


def item_page(
    session: Session, key: ExecutionKey, node_id: str, *, offset: int, limit: int, phase: str | None = None
) -> ItemPage:
    """Items of the array node `node_id` in index order, from `offset`, at most `limit` of them."""
    execution_id = _execution_id(session, key)
    parent = session.scalars(
        select(NodeExecutionRow.kind).where(
            NodeExecutionRow.execution_id == execution_id, NodeExecutionRow.node_id == node_id
        )
    ).first()
    if parent != ARRAY:
        raise NotFound(f"execution {key} has no map task node {node_id!r} (yet)")
    rows = session.execute(
        select(
            NodeExecutionRow.node_id, NodeExecutionRow.attempt, NodeExecutionRow.phase, NodeExecutionRow.error,
            NodeExecutionRow.started_at, NodeExecutionRow.finished_at,
        ).where(
            NodeExecutionRow.execution_id == execution_id, NodeExecutionRow.parent_id == node_id,
            NodeExecutionRow.kind == ITEM,
        ).order_by(NodeExecutionRow.attempt)
    )  # fmt: skip
    latest = {row.node_id: row for row in rows}  # ordered by attempt: the last wins
    ordered = sorted(latest.values(), key=lambda row: _index(row.node_id))
    counts = Counter(row.phase for row in ordered)
    chosen = [row for row in ordered if phase is None or row.phase == phase]
    return ItemPage(
        node_id=node_id,
        total=len(chosen),
        offset=offset,
        limit=limit,
        counts=dict(counts),
        items=[
            ItemView(
                index=_index(row.node_id), node_id=row.node_id, attempt=row.attempt, phase=row.phase,
                error=row.error, started_at=row.started_at,
                duration_seconds=(row.finished_at - row.started_at).total_seconds() if row.finished_at else None,
            )
            for row in chosen[offset : offset + limit]
        ],
    )  # fmt: skip


def attempt_phase(session: Session, key: ExecutionKey, node_id: str, attempt: int) -> str:
    phase = session.scalars(
        select(NodeExecutionRow.phase).where(
            NodeExecutionRow.execution_id == _execution_id(session, key),
            NodeExecutionRow.node_id == node_id,
            NodeExecutionRow.attempt == attempt,
        )
    ).first()
    if phase is None:
        raise NotFound(f"execution {key} has no attempt {attempt} of node {node_id!r}")
    return phase


def _execution_id(session: Session, key: ExecutionKey) -> int:
    found = session.scalars(
        select(ExecutionRow.id).where(
            ExecutionRow.project == key.project, ExecutionRow.domain == key.domain, ExecutionRow.name == key.name
        )
    ).first()
    if found is None:
        raise NotFound(f"execution {key} not found")
    return found


def _index(item_node_id: str) -> int:
    """An item's path is its array node's path, a dash and its index (`n1-7`)."""
    return int(item_node_id.rsplit("-", 1)[1])
