"""Read a FASTQ (plain, gzip or BGZF) in large blocks and feed them to the compiled kernel.

The reading thread cuts the stream into blocks that end at a record boundary (the last
record start, found backwards) and hands each block to one of two scanning threads, each
with tables of its own (the kernel holds no GIL). A plain file is memory-mapped (blocks are
views, nothing is copied); gzip is inflated by isal in the reading thread
(workflows/fastq_inflate.py). So reading, inflating and both scans overlap, and no
thread waits for another at each block: on 2 busy cores every runnable thread gets work.
Results are checked in block order, so an error names the first bad record. Memory stays
flat: at most DEPTH blocks, two sets of tables and a 16 KiB sketch, whatever the file size.
A malformed or truncated file fails with the record number and byte offset.
"""

from __future__ import annotations

import io
import itertools
import mmap
import queue
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from workflows import fastq_stats as k
from workflows.fastq_inflate import Inflated

BLOCK = 4 << 20  # bytes read at a time (a record longer than this grows its block)
DEPTH = 4  # blocks in flight: two scanning, one queued, one being read
GZIP_MAGIC = b"\x1f\x8b"

PROBLEMS = {
    k.BAD_HEADER: "the header line does not start with '@'",
    k.BAD_PLUS: "the separator line does not start with '+'",
    k.QUAL_LENGTH: "the quality line is not as long as the sequence",
    k.BAD_QUAL: "a quality character is outside '!'..'~'",
    k.BAD_SEQ: "the sequence holds a character that is not a letter",
}

Result = tuple[int, int, int, int]  # the kernel's (status, stop, records, where)


class Source(Protocol):
    """A file, an in-memory buffer or an inflating gzip reader."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


class FastqError(ValueError):
    """The input is not a well-formed 4-line FASTQ; the message says where."""


@dataclass(frozen=True)
class Block:
    """buf[:cut] holds whole records; buf[cut:end] starts the next block too."""

    buf: np.ndarray
    end: int
    cut: int
    base: int  # stream offset of buf[0]
    eof: bool
    truncated: str = ""  # why the gzip data stopped before its end marker


def is_gzip(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(2) == GZIP_MAGIC


def scan_file(path: Path, block: int = BLOCK) -> dict[str, np.ndarray]:
    """The merged statistic tables of every record in the file."""
    try:
        if is_gzip(path):
            with Inflated(path) as stream:
                return _scan_blocks(blocks(stream, block), "decompressed ")
        if path.stat().st_size == 0:
            return _scan_blocks(blocks(io.BytesIO(b""), block), "")
        with path.open("rb") as file:  # the map outlives the descriptor, and is unmapped
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)  # with its last view
        mapped.madvise(mmap.MADV_SEQUENTIAL)
        return _scan_blocks(mapped_blocks(mapped, block), "")
    except FastqError as error:
        raise FastqError(f"{path.name}: {error}") from error


def scan_bytes(data: bytes, block: int = BLOCK) -> dict[str, np.ndarray]:
    """The tables of an in-memory FASTQ (tests and tiny inputs)."""
    return _scan_blocks(blocks(io.BytesIO(data), block), "")


def mapped_blocks(mapped: mmap.mmap, block: int) -> Iterator[Block]:
    """A plain file's blocks as views of its memory map: the kernel reads the page cache
    with no copy (reading costs a tenth of the scan otherwise). Pages of blocks already
    checked are dropped from the map (the page cache keeps them), so RSS stays flat."""
    data = np.frombuffer(mapped, dtype=np.uint8)
    in_flight: deque[int] = deque(maxlen=DEPTH - 1)  # bases of the blocks not yet checked
    base = released = 0
    while True:
        end = min(block, len(data) - base)
        view = data[base : base + end]
        eof = base + end == len(data)
        cut = end if eof else k.last_record_start(view, end)
        if cut == 0 and not eof:
            if k.scan(view, 0, end, False, k.new_tables())[0] == k.INCOMPLETE:
                block *= 2  # one record longer than the block: take more
                continue
            cut = end  # whole records, or malformed data that the block's scan will name
        if len(in_flight) == in_flight.maxlen:
            done = in_flight[0] - in_flight[0] % mmap.PAGESIZE
            if done > released:
                mapped.madvise(mmap.MADV_DONTNEED, released, done - released)
                released = done
        yield Block(view, end, cut, base, eof)
        if eof:
            return
        in_flight.append(base)
        base += cut


def blocks(stream: Source, block: int) -> Iterator[Block]:
    """The stream cut into record-aligned blocks; the last has eof set. Block n reuses the
    buffer of block n - DEPTH, checked by the time block n is asked for (fresh buffers
    would cost a page fault per 4 KiB)."""
    ring = [np.empty(block, dtype=np.uint8) for _ in range(DEPTH)]
    carry = ring[-1][:0]
    base = n = 0
    while True:
        if len(ring[n % DEPTH]) < 2 * len(carry):  # a record longer than the buffer
            ring[n % DEPTH] = np.empty(2 * len(carry), dtype=np.uint8)
        buf = ring[n % DEPTH]
        buf[: len(carry)] = carry
        end, eof, truncated = _fill(stream, buf, len(carry))
        cut = end if eof else k.last_record_start(buf, end)
        if cut == 0 and not eof:
            if k.scan(buf, 0, end, False, k.new_tables())[0] == k.INCOMPLETE:
                carry = buf[:end]  # one record longer than the block: read on
                continue
            cut = end  # whole records, or malformed data that the block's scan will name
        yield Block(buf, end, cut, base, eof, truncated)
        if eof:
            return
        carry = buf[cut:end]
        base += cut
        n += 1


def _fill(stream: Source, buf: np.ndarray, held: int) -> tuple[int, bool, str]:
    """Read until buf is full or the stream ends: (bytes in buf, whether it ended, why early)."""
    view = buf.data  # a memoryview of the array
    end = held
    while end < len(buf):
        try:
            got = stream.readinto(view[end:])
        except EOFError as error:  # the gzip data stops before its end marker
            return end, True, str(error)
        if not got:
            return end, True, ""
        end += got
    return end, False, ""


def _scan_blocks(source: Iterator[Block], kind: str) -> dict[str, np.ndarray]:
    idle: queue.SimpleQueue[dict[str, np.ndarray]] = queue.SimpleQueue()
    sets = [k.new_tables(), k.new_tables()]
    for tables in sets:
        idle.put(tables)

    def scan(one: Block) -> Result:
        tables = idle.get()  # two threads, two sets: never waits
        try:
            return k.scan(one.buf, 0, one.cut, one.eof, tables)
        finally:
            idle.put(tables)

    records = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: deque[tuple[Block, Future[Result]]] = deque()
        for one in source:
            pending.append((one, pool.submit(scan, one)))
            if len(pending) >= DEPTH:
                records = _check(*pending.popleft(), records, pending, source, kind)
        while pending:
            records = _check(*pending.popleft(), records, pending, source, kind)
    k.merge(sets[0], sets[1])
    return sets[0]


def _check(one: Block, result: Future[Result], records: int, pending: deque, source: Iterator[Block], kind: str) -> int:
    """Records so far once this block is through; raises FastqError naming the first problem."""
    status, stop, taken, where = result.result()
    if status == k.OK and stop == one.cut and not one.truncated:
        return records + taken
    truncated = one.truncated
    if status == k.INCOMPLETE and not one.eof:
        # A record runs past the cut, so the cut was no record start and the data near it is
        # malformed: read on from that record, a block at a time, until the problem shows.
        wait([scanning for _, scanning in pending])  # their buffers are about to be reused
        later = itertools.chain((block for block, _ in pending), source)
        status, records, offset, truncated = _rescan(one, stop, records + taken, later)
    else:
        records, offset = records + taken, one.base + where
    if status == k.OK:  # only the gzip data stopping between two records gets here
        raise FastqError(
            f"the gzip data is truncated ({truncated}): it ends after {offset:,} decompressed bytes,"
            f" {records:,} whole records"
        )
    message = _where(status, records + 1, offset, kind)
    raise FastqError(f"the gzip data is truncated ({truncated}): {message}" if truncated else message)


def _rescan(one: Block, stop: int, records: int, later: Iterator[Block]) -> tuple[int, int, int, str]:
    """Scan on from one.buf[stop] through the later blocks' data until a record fails or the
    data ends: (status, records before the failing one, its stream offset, the truncation)."""
    data, base, last = one.buf[stop : one.end], one.base + stop, one
    status, where = k.INCOMPLETE, 0
    while status in (k.OK, k.INCOMPLETE) and not last.eof:
        nxt = next(later)
        data = np.concatenate([data, nxt.buf[last.end - last.cut : nxt.end]])
        last = nxt
        status, got, taken, where = k.scan(data, 0, len(data), last.eof, k.new_tables())
        records += taken
        if status in (k.OK, k.INCOMPLETE):
            base, data, where = base + got, data[got:], where - got
    return (status if status != k.OK or last.truncated else k.BAD_HEADER), records, base + where, last.truncated


def _where(status: int, record: int, offset: int, kind: str) -> str:
    place = f"record {record:,} (at {kind}byte offset {offset:,})"
    if status == k.INCOMPLETE:
        return f"the file is truncated: {place} is incomplete"
    return f"malformed FASTQ at {place}: {PROBLEMS[status]}"
