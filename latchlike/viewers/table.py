"""CSV and TSV files as a paged, sortable table.

Tables are parsed once and kept (the last few, by object and content hash), so paging and
sorting a 100,000-row file answer from memory. A table larger than `MAX_ROWS` shows its
first `MAX_ROWS` rows and says so.
"""

from __future__ import annotations

import csv
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import TextIO

MAX_ROWS = 1_000_000
MAX_PAGE = 1000
KEEP_TABLES = 2
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    truncated: bool


@dataclass(frozen=True)
class TablePage:
    columns: list[str]
    rows: list[list[str]]
    offset: int
    total: int
    truncated: bool
    sort: int | None
    descending: bool


class TableCache:
    """Parsed tables by (key, sha256): a changed file is a new entry, never a stale one."""

    def __init__(self, keep: int = KEEP_TABLES) -> None:
        self._tables: OrderedDict[tuple[str, str], tuple[Table, dict[tuple[int, bool], list[int]]]] = OrderedDict()
        self._keep, self._lock = keep, threading.Lock()

    def page(
        self, identity: tuple[str, str], load: Callable[[], Table], *,
        offset: int, limit: int, sort: int | None, descending: bool,
    ) -> TablePage:  # fmt: skip
        table, orders = self._get(identity, load)
        if sort is not None and not 0 <= sort < len(table.columns):
            sort = None
        chosen = range(offset, min(offset + min(limit, MAX_PAGE), len(table.rows)))
        if sort is None:
            rows = [table.rows[i] for i in chosen]
        else:
            order = orders.get((sort, descending))
            if order is None:
                order = orders[(sort, descending)] = _order(table.rows, sort, descending)
            rows = [table.rows[order[i]] for i in chosen]
        return TablePage(table.columns, rows, offset, len(table.rows), table.truncated, sort, descending)

    def _get(
        self, identity: tuple[str, str], load: Callable[[], Table]
    ) -> tuple[Table, dict[tuple[int, bool], list[int]]]:
        with self._lock:
            if identity in self._tables:
                self._tables.move_to_end(identity)
                return self._tables[identity]
        entry: tuple[Table, dict[tuple[int, bool], list[int]]] = (load(), {})
        with self._lock:
            self._tables[identity] = entry
            while len(self._tables) > self._keep:
                self._tables.popitem(last=False)
        return entry


def read_table(text: TextIO, delimiter: str) -> Table:
    reader = csv.reader(text, delimiter=delimiter)
    columns = next(reader, [])
    rows = list(islice(reader, MAX_ROWS + 1))
    truncated = len(rows) > MAX_ROWS
    return Table(columns, rows[:MAX_ROWS], truncated)


def _order(rows: list[list[str]], column: int, descending: bool) -> list[int]:
    """Row indexes sorted by one column: numbers as numbers, before text; blanks last."""

    def key(index: int) -> tuple[int, float, str]:
        cells = rows[index]
        value = cells[column].strip() if column < len(cells) else ""
        if not value:
            return (2, 0.0, "")
        try:
            return (0, float(value), "")
        except ValueError:
            return (1, 0.0, value.casefold())

    ordered = sorted(range(len(rows)), key=key, reverse=descending)
    if descending:  # blanks stay last whichever way
        blanks = [i for i in ordered if key(i)[0] == 2]
        ordered = [i for i in ordered if key(i)[0] != 2] + blanks
    return ordered
