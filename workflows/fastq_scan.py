"""Read a FASTQ (plain, gzip or BGZF) in large blocks and feed them to the compiled kernel.

Each block is cut at a record boundary near its middle and the two halves are scanned by
two threads at once (the kernel holds no GIL); gzip is inflated by igzip in a thread of its
own. Memory stays flat: two blocks, the per-thread tables and a 16 KiB sketch, whatever the
file size. A malformed or truncated file fails with the record number and byte offset.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import numpy as np
from isal import igzip_threaded

from workflows import fastq_stats as k

BLOCK = 8 << 20  # bytes read at a time; a block under half this size is scanned by one thread
GZIP_MAGIC = b"\x1f\x8b"

PROBLEMS = {
    k.BAD_HEADER: "the header line does not start with '@'",
    k.BAD_PLUS: "the separator line does not start with '+'",
    k.QUAL_LENGTH: "the quality line is not as long as the sequence",
    k.BAD_QUAL: "a quality character is outside '!'..'~'",
    k.BAD_SEQ: "the sequence holds a character that is not a letter",
}


class FastqError(ValueError):
    """The input is not a well-formed 4-line FASTQ; the message says where."""


def is_gzip(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(2) == GZIP_MAGIC


def scan_file(path: Path, block: int = BLOCK) -> dict[str, np.ndarray]:
    """The merged statistic tables of every record in the file."""
    gz = is_gzip(path)
    opened = igzip_threaded.open(path, "rb", threads=1) if gz else path.open("rb", buffering=0)
    with opened as stream, ThreadPoolExecutor(max_workers=1) as helper:
        try:
            return _scan_stream(stream, helper, block, "decompressed " if gz else "")
        except EOFError as error:  # igzip: the gzip stream stops before its end marker
            raise FastqError(f"{path.name}: the gzip data is truncated ({error})") from error


def _scan_stream(stream: BinaryIO, helper: ThreadPoolExecutor, block: int, kind: str) -> dict[str, np.ndarray]:
    main, other = k.new_tables(), k.new_tables()
    buf = np.empty(2 * block, dtype=np.uint8)
    held = 0  # bytes of an unfinished record carried at the front of buf
    base = 0  # stream offset of buf[0]
    records = 0
    while True:
        end, eof = _fill(stream, buf, held)
        if eof and end == 0:
            break
        status, stop, taken, where = _scan_block(buf, end, eof, block // 2, main, other, helper)
        if status != k.OK and not (status == k.INCOMPLETE and not eof):
            raise FastqError(_where(status, records + taken + 1, base + where, kind))
        records += taken
        held = end - stop
        if eof:
            break
        if held == len(buf):  # one record longer than the buffer: make room
            buf = np.concatenate([buf, np.empty(len(buf), dtype=np.uint8)])
        buf[:held] = buf[stop:end]
        base += stop
    k.merge(main, other)
    return main


def _fill(stream: BinaryIO, buf: np.ndarray, held: int) -> tuple[int, bool]:
    """Read until buf is full or the stream ends; (bytes in buf, whether the stream ended)."""
    view = buf.data  # a memoryview of the array
    end = held
    while end < len(buf):
        got = stream.readinto(view[end:])  # type: ignore[attr-defined]
        if not got:
            return end, True
        end += got
    return end, False


def _scan_block(
    buf: np.ndarray, end: int, eof: bool, split_min: int, main: dict, other: dict, helper: ThreadPoolExecutor
) -> tuple[int, int, int, int]:
    """(status, stop, records taken, where) for buf[:end], in two halves when it is large."""
    mid = k.record_start_near(buf, end // 2, end) if end >= split_min else end
    if mid >= end:
        return k.scan(buf, 0, end, eof, main)
    second = helper.submit(k.scan, buf, mid, end, eof, other)
    first = k.scan(buf, 0, mid, False, main)
    later = second.result()
    if first[0] == k.OK and first[1] == mid:
        return later[0], later[1], first[2] + later[2], later[3]
    if first[0] not in (k.OK, k.INCOMPLETE):
        return first
    # The cut was not a record boundary, so the data near it is malformed: find where.
    # (Only a failing file gets here, so the second half's figures no longer matter.)
    status, _, taken, where = k.scan(buf, first[1], end, eof, k.new_tables())
    return (status if status != k.OK else k.BAD_HEADER), first[1], first[2] + taken, where


def _where(status: int, record: int, offset: int, kind: str) -> str:
    place = f"record {record:,} (at {kind}byte offset {offset:,})"
    if status == k.INCOMPLETE:
        return f"the file is truncated: {place} is incomplete"
    return f"malformed FASTQ at {place}: {PROBLEMS[status]}"


def scan_bytes(data: bytes, block: int = BLOCK) -> dict[str, np.ndarray]:
    """The tables of an in-memory FASTQ (tests and tiny inputs)."""
    with ThreadPoolExecutor(max_workers=1) as helper:
        return _scan_stream(io.BytesIO(data), helper, block, "")
