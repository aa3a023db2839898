"""Plain text a page of numbered lines at a time, and JSON pretty-printed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO

MAX_LINE = 2000
MAX_JSON_BYTES = 20 * 1024 * 1024
"""Larger JSON is shown as plain text: parsing it would hold it all in memory."""


@dataclass(frozen=True)
class Lines:
    first: int
    """The number of the first line shown (1-based)."""
    lines: list[str]
    more: bool


def line_page(lines: Iterable[str], first: int, limit: int) -> Lines:
    window = list(islice(lines, first - 1, first - 1 + limit + 1))
    shown = [_cut(line.rstrip("\r\n")) for line in window[:limit]]
    return Lines(first, shown, len(window) > limit)


def pretty_json(data: BinaryIO) -> tuple[list[str] | None, str | None]:
    """The document indented, as lines; or None and why it is shown as text instead."""
    raw = data.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        return None, f"larger than {MAX_JSON_BYTES // 1024 // 1024} MB: shown as text"
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        return None, f"not valid JSON ({error}): shown as text"
    return json.dumps(document, indent=2, ensure_ascii=False).splitlines(), None


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[:MAX_LINE] + f"… ({len(line):,} characters)"
