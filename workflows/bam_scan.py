"""Walk a BAM without pysam's per-record objects: BGZF blocks inflated in bulk, records
counted by the compiled kernel (workflows/bam_kernel.py).

A pool of threads inflates the next batches of blocks (ISA-L: 1.6× faster than zlib-ng here,
as fast as libdeflate) on both cores while the kernel, also without the GIL, counts the
current one. Memory stays flat: at most `AHEAD` + 1 batches of about `BATCH` bytes, the
unfinished record carried between them, and the fixed tables.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from isal import igzip, isal_zlib

from workflows import bai
from workflows import bam_kernel as k
from workflows.qc_gc import freeze_loaded

READ = 4 << 20  # compressed bytes read at a time
# Decompressed bytes handed to the kernel at a time (about 16 BGZF blocks). At 4 MiB, the
# allocator mapped fresh pages for most batches: 160,000 page faults, a fifth of the CPU time
# of a 2 M-record BAM; 1 MiB buffers are reused (70,000, most of them imports).
BATCH = 1 << 20
AHEAD = 24  # batches the pool may inflate before the kernel takes them
WORKERS = 2  # inflating threads: one a core here, inflating costs ~3× what the kernel does
BGZF_HEAD = b"\x1f\x8b\x08\x04"
PROBLEMS = {
    k.BAD_SIZE: "a record's block_size does not fit its fields",
    k.BAD_REFERENCE: "a record names a reference the header does not have",
}


class BamDataError(ValueError):
    """The BAM stops being readable; `records` and `where` say after what."""

    def __init__(self, problem: str, records: int, where: str) -> None:
        super().__init__(problem)
        self.records, self.where = records, where


@dataclass
class Tallies:
    """Every table of the one pass; the pysam path (SAM, CRAM) fills the same one."""

    counts: np.ndarray  # int64, in alignment_stats.COUNTS order
    mapq: np.ndarray  # 256 MAPQ values
    inserts: np.ndarray  # |TLEN| 0..max_insert
    inserts_over: int
    contig_reads: np.ndarray
    contig_bases: np.ndarray
    unsorted_at: str | None  # "record N (name)" of the first record out of coordinate order
    where: str  # " (last read NAME at chr:pos)" or " (none read)", for error messages
    bai: bytes | None = None  # the BAI the scan built (BAM only)
    index_stop: int = k.UNWANTED  # why it built none (workflows/k.py)

    @classmethod
    def empty(cls, n_ref: int, max_insert: int) -> Tallies:
        zeros = np.zeros
        return cls(zeros(k.N_COUNTS, np.int64), zeros(256, np.int64), zeros(max_insert + 1, np.int64), 0,
                   zeros(n_ref, np.int64), zeros(n_ref, np.int64), None, " (none read)")  # fmt: skip


def scan(raw: BinaryIO, references: list[str], max_insert: int, *, batch: int = BATCH, index: bool = False) -> Tallies:
    """The tallies of every record of the BAM stream `raw` (its header included), inflated
    `batch` bytes at a time (tests make it small, so records straddle batches); with `index`,
    also its BAI, if the records turn out sorted (workflows/bai.py)."""
    t = Tallies.empty(len(references), max_insert)
    state = k.new_state()
    builder = bai.BaiBuilder(len(references))
    with _Inflater(raw, batch) as inflater:
        buf, blocks, offset0 = _skip_header(inflater, len(references))
        progress = k.new_index(offset0, index)
        while True:
            data = np.frombuffer(buf, dtype=np.uint8)
            status, used = k.FULL, 0
            while status == k.FULL:
                status, used, last = k.walk(
                    data, used, len(data), blocks.starts, blocks.offsets, int(t.counts[k.TOTAL]) + 1, t.counts,
                    t.mapq, t.inserts, t.contig_reads, t.contig_bases, state, progress, builder.events,
                )  # fmt: skip
                builder.drain(progress)
                if last >= 0:
                    t.where = _where(data, last, references)
            if t.unsorted_at is None and state[k.UNSORTED_AT] >= 0:
                t.unsorted_at = f"record {state[k.UNSORTED_AT]} ({_name(data, int(state[k.UNSORTED_OFFSET]))})"
            if status != k.OK:
                raise BamDataError(PROBLEMS[status], int(t.counts[k.TOTAL]), t.where)
            freeze_loaded()  # the kernel is loaded now
            try:
                more = inflater.next()
            except (EOFError, ValueError) as error:
                raise BamDataError(str(error), int(t.counts[k.TOTAL]), t.where) from error
            if not more.sizes:
                if used < len(data):
                    raise BamDataError("the last record is incomplete", int(t.counts[k.TOTAL]), t.where)
                break
            blocks = blocks.after(used, len(data) - used, more)
            buf = data[used:].tobytes() + more.data  # one copy: the carry and the blocks
    t.inserts_over = int(state[k.INSERTS_OVER])
    t.index_stop = int(progress[k.STOP])
    t.bai = builder.bai(progress) if t.index_stop == k.GOING else None
    return t


@dataclass
class _Batch:
    """Inflated BGZF blocks, end to end: each one's size and compressed offset, and the offset
    of the block after them."""

    data: bytes
    sizes: list[int]
    offsets: list[int]
    next_offset: int


@dataclass
class _Table:
    """Where each BGZF block sits in the buffer the kernel walks (`starts`, possibly negative
    for the block a carried record began in) and in the file (`offsets`); the last entry is
    the block after them, so an end at a block's end reads as the next block's start, as
    htslib's `bgzf_tell` has it."""

    starts: np.ndarray
    offsets: np.ndarray

    @classmethod
    def of(cls, batch: _Batch, shift: int = 0) -> _Table:
        starts = np.concatenate([[0], np.cumsum(batch.sizes, dtype=np.int64)]) + shift
        return cls(starts.astype(np.int64), np.array([*batch.offsets, batch.next_offset], dtype=np.int64))

    def after(self, used: int, carried: int, batch: _Batch) -> _Table:
        """The table of the next buffer: the blocks from the one holding byte `used` on, then
        the batch's, `carried` bytes in."""
        first = self._block(used)
        new = _Table.of(batch, carried)
        keep = slice(first, len(self.starts) - 1)
        return _Table(np.concatenate([self.starts[keep] - used, new.starts]),
                      np.concatenate([self.offsets[keep], new.offsets]))  # fmt: skip

    def virtual_offset(self, at: int) -> int:
        i = self._block(at)
        return int(self.offsets[i]) << 16 | (at - int(self.starts[i]))

    def _block(self, at: int) -> int:
        """The block byte `at` is in; at a block's end, the next one (as the kernel has it)."""
        i = int(np.searchsorted(self.starts, at, side="left"))
        return i if i < len(self.starts) and self.starts[i] == at else i - 1


class _Inflater:
    """Batches of decompressed bytes, in file order, the next ones inflated meanwhile by
    `WORKERS` threads (ISA-L releases the GIL while it inflates; BGZF blocks are independent).
    This thread only frames blocks (their headers, in Python: cheap) and hands each batch to
    the pool; up to `AHEAD` wait there, so the kernel, the faster of the two once running,
    never waits long, and the pool keeps inflating while the kernel's code loads."""

    def __init__(self, raw: BinaryIO, batch: int) -> None:
        self._pieces = _pieces(raw, batch)
        self._pool = ThreadPoolExecutor(max_workers=WORKERS)
        self._pending = deque(self._ask() for _ in range(AHEAD))

    def next(self) -> _Batch:
        """The next batch of inflated blocks, none at the end; the reader's EOFError or ValueError otherwise."""
        batch = self._pending.popleft().result()
        if batch.sizes:
            self._pending.append(self._ask())
        return batch

    def _ask(self) -> Future[_Batch]:
        try:
            piece = next(self._pieces, None)
        except (EOFError, ValueError) as error:  # raised in its turn, after the batches before it
            failed: Future[_Batch] = Future()
            failed.set_exception(error)
            return failed
        return self._pool.submit(_inflate, piece) if piece else _done(_Batch(b"", [], [], 0))

    def __enter__(self) -> _Inflater:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Piece:
    """Whole BGZF blocks as they are in the file (`spans`: several when the blocks straddle
    reads), the size each inflates to, their offsets and the offset of the block after them."""

    spans: list[memoryview]
    sizes: list[int]
    offsets: list[int]
    next_offset: int


def _inflate(piece: _Piece) -> _Batch:
    """The piece's blocks inflated in one call (BGZF is multi-member gzip), so a worker takes the
    GIL once a batch, not once a block: while the scanning thread runs Python, a thread wanting
    the GIL back waits up to the 5 ms switch interval, which a block at a time paid per block."""
    try:
        data = b"".join([igzip.decompress(span) for span in piece.spans])
    except (OSError, isal_zlib.error) as error:  # type: ignore[misc]  # (isal's stub: an instance)
        # igzip checks each block's CRC32 and ISIZE (BadGzipFile, an OSError); bad deflate data: IsalError
        raise ValueError(f"a BGZF block does not inflate: {error}") from error
    return _Batch(data, piece.sizes, piece.offsets, piece.next_offset)


def _done(batch: _Batch) -> Future[_Batch]:
    future: Future[_Batch] = Future()
    future.set_result(batch)
    return future


def _skip_header(inflater: _Inflater, n_ref: int) -> tuple[bytes, _Table, int]:
    """The decompressed bytes after the binary header (magic, text, references), their
    blocks, and the virtual offset of the first record."""
    try:
        batch = inflater.next()
        buf = batch.data
        while (end := _header_end(buf, n_ref)) is None:
            more = inflater.next()
            if not more.sizes:
                raise EOFError("the header is incomplete")
            buf += more.data
            batch = _Batch(buf, batch.sizes + more.sizes, batch.offsets + more.offsets, more.next_offset)
    except (EOFError, ValueError) as error:
        raise BamDataError(str(error), 0, " (none read)") from error
    table = _Table.of(batch)
    rest = _Batch(b"", [], [], batch.next_offset)
    return buf[end:], table.after(end, len(buf) - end, rest), table.virtual_offset(end)


def _header_end(buf: bytes, n_ref: int) -> int | None:
    if len(buf) < 12:
        return None
    if buf[:4] != b"BAM\x01":
        raise ValueError("the data does not start with the BAM magic")
    at = 8 + int.from_bytes(buf[4:8], "little")
    if len(buf) < at + 4:
        return None
    if int.from_bytes(buf[at : at + 4], "little") != n_ref:
        raise ValueError("the binary header's reference count differs from its text's")
    at += 4
    for _ in range(n_ref):
        if len(buf) < at + 4:
            return None
        at += 8 + int.from_bytes(buf[at : at + 4], "little")
    return at if len(buf) >= at else None


def _pieces(raw: BinaryIO, batch: int) -> Iterator[_Piece]:
    """BGZF blocks framed, not yet inflated, about `batch` decompressed bytes (by their
    footers' ISIZE) at a time, with their offsets. A block cut short by the end of the file
    raises EOFError; a block that is not BGZF, ValueError."""
    pending = b""
    piece = _Piece([], [], [], 0)
    size = base = 0  # base: the file offset of data[0]
    while True:
        # Read after what the last read left unframed, in one buffer: never shared with a
        # thread while written, never written once framed (the pieces are views of it).
        buffer = bytearray(len(pending) + READ)
        buffer[: len(pending)] = pending
        got = raw.readinto(memoryview(buffer)[len(pending) :])  # type: ignore[attr-defined]
        data = memoryview(buffer)[: len(pending) + got]
        at = first = 0  # first: where the piece's blocks start in data
        while at + 18 <= len(data):
            # htslib writes the BC subfield (holding BSIZE) first, so its offsets are fixed.
            if data[at : at + 4] != BGZF_HEAD or data[at + 12 : at + 14] != b"BC":
                raise ValueError(f"not a BGZF block at compressed byte {base + at:,}")
            end = at + int.from_bytes(data[at + 16 : at + 18], "little") + 1
            if end > len(data):
                break
            piece.sizes.append(int.from_bytes(data[end - 4 : end], "little"))
            piece.offsets.append(base + at)
            size += piece.sizes[-1]
            at = end
            if size >= batch:
                piece.spans.append(data[first:at])
                piece.next_offset = base + at
                yield piece
                piece, size, first = _Piece([], [], [], 0), 0, at
        if at > first:
            piece.spans.append(data[first:at])
        pending = bytes(data[at:])
        base += at
        if not got:
            if piece.sizes:
                piece.next_offset = base
                yield piece
            if pending:
                raise EOFError("truncated file: the last BGZF block is cut short")
            return


def _name(data: np.ndarray, at: int) -> str:
    return bytes(data[at + 36 : at + 35 + int(data[at + 12])]).decode(errors="replace")


def _where(data: np.ndarray, at: int, references: list[str]) -> str:
    ref = int(data[at + 4 : at + 8].view("<i4")[0])
    pos = int(data[at + 8 : at + 12].view("<i4")[0])
    place = f"{references[ref]}:{pos + 1}" if ref >= 0 else "no reference"
    return f" (last read {_name(data, at)} at {place})"
