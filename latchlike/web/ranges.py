"""HTTP Range (RFC 9110 §14) for one byte range: what a resumed download or a genome
viewer asks for. Several ranges in one request are answered with the whole body, which
the RFC allows."""

from __future__ import annotations

import re

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class Unsatisfiable(Exception):
    """The range lies outside the file: answer 416 with `Content-Range: bytes */size`."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) to send, or None for the whole body (no usable Range header)."""
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None  # not a single byte range: ignored, as the RFC allows
    first, last = match.group(1), match.group(2)
    if first == "":  # a suffix: the last N bytes
        if int(last) == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - int(last)), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # an invalid range: ignored
    if start >= size:
        raise Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
    return start, end
