"""Map task items' rows, written in bulk: an INSERT (one statement per few hundred rows) and
an UPDATE (one executemany) for the items a walk started or recorded, not an ORM object added
and flushed per item (a map task of 10,000 items made the unit of work most of the engine's step).

The walk keeps every row as an object (`ExecutionWalk.rows`), items' too. An item's object
is never added to the session: the walk queues it here, and `flush` writes what changed.
A new item's object is then given the identity of the row inserted for it
(`make_transient_to_detached`), so it is like a row read before: it can still be added to
a session later (an abort does) and be updated as any other.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session, make_transient_to_detached

from latchlike.executions.tables import NodeExecutionRow

_TABLE = cast(Table, NodeExecutionRow.__table__)  # declared with the ORM, written with Core
_UNSET: dict[str, Any] = {"error": None, "error_kind": None, "cache_hit": False, "child_execution": None,
                          "finished_at": None}  # fmt: skip
"""What an item's object may leave unset when it is made: the row's defaults."""
_COLUMNS = ("execution_id", "node_id", "attempt", "task", "kind", "parent_id", "phase", *_UNSET, "started_at")
_CHANGED = ("kind", "phase", "error", "error_kind", "finished_at")
"""What recording an attempt's end changes (`ExecutionWalk._record`)."""
_INSERT = insert(_TABLE).returning(_TABLE.c.id, _TABLE.c.node_id, _TABLE.c.attempt)
"""Each row's id is matched to its object by what identifies the row (`uq_node_attempt`): asked
to answer in the order the rows were given, SQLAlchemy inserts them one statement per row on SQLite."""
_UPDATE = update(_TABLE).where(_TABLE.c.id == bindparam("row_id")).values({name: bindparam(name) for name in _CHANGED})


class ItemWrites:
    def __init__(self) -> None:
        self._new: list[NodeExecutionRow] = []
        self._changed: dict[int, NodeExecutionRow] = {}
        """Rows already in the database whose object changed, by the row's id."""

    def insert(self, row: NodeExecutionRow) -> None:
        """A new item's row, written with what its object holds at the next `flush`."""
        self._new.append(row)

    def update(self, row: NodeExecutionRow) -> None:
        """The item's object changed: its row is updated at the next `flush` (a row not yet
        inserted is written whole then)."""
        if row.id is not None:
            self._changed[row.id] = row

    def flush(self, session: Session) -> None:
        """Write what was queued, in the session's transaction: before anything reads these
        rows back (the retry budget counts an item's failed attempts), and when the walk ends."""
        connection = session.connection()
        if self._new:
            rows, self._new = self._new, []
            ids = {(node_id, attempt): row_id for row_id, node_id, attempt in
                   connection.execute(_INSERT, [_inserted(row) for row in rows])}  # fmt: skip
            for row in rows:
                row.id = ids[row.node_id, row.attempt]
                make_transient_to_detached(row)
        if self._changed:
            changed, self._changed = self._changed, {}
            fields = [{"row_id": row_id, **{name: getattr(row, name) for name in _CHANGED}}
                      for row_id, row in changed.items()]  # fmt: skip
            connection.execute(_UPDATE, fields)


def _inserted(row: NodeExecutionRow) -> dict[str, Any]:
    """The row's values; what its object left unset is set to the default first, so that the
    object, once given its identity, holds every column (none is left to load)."""
    held = row.__dict__
    for name, default in _UNSET.items():
        if name not in held:
            setattr(row, name, default)
    return {name: held[name] for name in _COLUMNS}
