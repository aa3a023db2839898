"""The compiled record walk of the alignment QC: numba over decompressed BAM bytes.

A BAM record is a little-endian block whose first 36 bytes are fixed-offset fields (SAM
spec §4.2), so flagstat-style counts need no per-record Python: the kernel reads flag,
reference, position, MAPQ, mate reference, TLEN and the CIGAR ops straight from the bytes
and adds into numpy tables. It runs with the GIL released (`nogil`), so the next block
can be inflated meanwhile. Compiled code is cached on disk as workflows/fastq_stats.py
explains (`NUMBA_CACHE_DIR`, else the user cache), never in site-packages.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault(
    "NUMBA_CACHE_DIR",
    str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "latchlike" / "numba"),
)

import numba  # reads NUMBA_CACHE_DIR when imported
import numpy as np

from workflows import bai_kernel as bai

# Indices into the `counts` table, in the order of alignment_stats.COUNTS.
(TOTAL, PRIMARY, SECONDARY, SUPPLEMENTARY, DUPLICATES, PRIMARY_DUPLICATES, MAPPED, PRIMARY_MAPPED, QC_FAILED,
 PAIRED, READ1, READ2, PROPERLY_PAIRED, BOTH_MAPPED, SINGLETONS, MATE_OTHER, MATE_OTHER_MAPQ5) = range(17)  # fmt: skip
N_COUNTS = 17
# Indices into the `state` table, which carries what one block leaves to the next.
LAST_REF, LAST_POS, UNMAPPED_SEEN, UNSORTED_AT, UNSORTED_OFFSET, INSERTS_OVER = range(6)
# What `walk` stops on. FULL: `events` has no room for another record's; drain it, call again.
OK, BAD_SIZE, BAD_REFERENCE, FULL = range(4)
FIXED = 32  # bytes of fixed fields after block_size


def new_state() -> np.ndarray:
    state = np.zeros(6, dtype=np.int64)
    state[LAST_REF], state[LAST_POS], state[UNSORTED_AT] = -1, -1, -1
    return state


@numba.njit(nogil=True, cache=True, inline="always")
def _i32(buf: np.ndarray, at: int) -> int:
    value = (
        np.int64(buf[at]) | (np.int64(buf[at + 1]) << 8) | (np.int64(buf[at + 2]) << 16) | (np.int64(buf[at + 3]) << 24)
    )
    return int(value - (np.int64(1) << 32) if value >= (np.int64(1) << 31) else value)


@numba.njit(nogil=True, cache=True, inline="always")
def _u16(buf: np.ndarray, at: int) -> int:
    return int(np.int64(buf[at]) | (np.int64(buf[at + 1]) << 8))


@numba.njit(nogil=True, cache=True)
def walk(
    buf: np.ndarray, start: int, end: int, block_starts: np.ndarray, block_offsets: np.ndarray, first_record: int,
    counts: np.ndarray, mapq: np.ndarray, inserts: np.ndarray, contig_reads: np.ndarray, contig_bases: np.ndarray,
    state: np.ndarray, index: np.ndarray, events: np.ndarray,
) -> tuple[int, int, int]:  # fmt: skip
    """Count every whole record in buf[start:end]; (status, offset reached, offset of the last
    whole record or -1). `first_record` numbers the first record (1-based) for the sort
    check, which keeps the number and offset in buf of the first record out of order in state.
    While index[STOP] is GOING, each record is also indexed (workflows/bai_kernel.py), its
    virtual offset found from the BGZF blocks buf holds: block i starts at buf[block_starts[i]]
    and at compressed byte block_offsets[i]; a last entry stands for the block after them."""
    n_ref = len(contig_reads)
    top = len(inserts) - 1
    at, taken, last, block = start, 0, -1, 0
    while at + 4 <= end:
        if index[bai.STOP] == bai.GOING and index[bai.N_EVENTS] + bai.EVENT_ROOM > len(events):
            return FULL, at, last
        size = _i32(buf, at)
        if size < FIXED:
            return BAD_SIZE, at, last
        if at + 4 + size > end:
            break
        ref, pos = _i32(buf, at + 4), _i32(buf, at + 8)
        name_len, quality = int(buf[at + 12]), int(buf[at + 13])
        n_cigar, flag = _u16(buf, at + 16), _u16(buf, at + 18)
        mate_ref = _i32(buf, at + 24)
        if ref < -1 or ref >= n_ref or mate_ref < -1 or mate_ref >= n_ref:
            return BAD_REFERENCE, at, last
        if 36 + name_len + 4 * n_cigar > size + 4:
            return BAD_SIZE, at, last
        counts[TOTAL] += 1
        unmapped = flag & 0x4
        if flag & 0x200:
            counts[QC_FAILED] += 1
        if flag & 0x400:
            counts[DUPLICATES] += 1
        if not unmapped:
            counts[MAPPED] += 1
        if flag & 0x100:
            counts[SECONDARY] += 1
        elif flag & 0x800:
            counts[SUPPLEMENTARY] += 1
        else:
            counts[PRIMARY] += 1
            if not unmapped:
                counts[PRIMARY_MAPPED] += 1
            if flag & 0x400:
                counts[PRIMARY_DUPLICATES] += 1
            if flag & 0x1:
                counts[PAIRED] += 1
                if flag & 0x40:
                    counts[READ1] += 1
                if flag & 0x80:
                    counts[READ2] += 1
                if flag & 0x2 and not unmapped:
                    counts[PROPERLY_PAIRED] += 1
                if flag & 0x8 and not unmapped:
                    counts[SINGLETONS] += 1
                if not flag & 0xC:
                    counts[BOTH_MAPPED] += 1
                    if mate_ref != ref:
                        counts[MATE_OTHER] += 1
                        if quality >= 5:
                            counts[MATE_OTHER_MAPQ5] += 1
            if not unmapped:
                mapq[quality] += 1
                if not flag & 0x600 and ref >= 0:
                    contig_reads[ref] += 1
                    aligned = 0
                    op_at = at + 36 + name_len
                    for _ in range(n_cigar):
                        op = buf[op_at] & 0xF
                        if op == 0 or op == 7 or op == 8:  # M, =, X
                            aligned += _i32(buf, op_at) >> 4
                        op_at += 4
                    contig_bases[ref] += aligned
                if flag & 0x4B == 0x43:  # paired, proper, read 1, mate mapped
                    tlen = abs(_i32(buf, at + 32))
                    if tlen <= top:
                        inserts[tlen] += 1
                    else:
                        state[INSERTS_OVER] += 1
        if state[UNSORTED_AT] < 0:
            if ref < 0:
                state[UNMAPPED_SEEN] = 1
            else:
                if state[UNMAPPED_SEEN] or ref < state[LAST_REF] or (ref == state[LAST_REF] and pos < state[LAST_POS]):
                    state[UNSORTED_AT], state[UNSORTED_OFFSET] = first_record + taken, at
                    if index[bai.STOP] == bai.GOING:
                        index[bai.STOP] = bai.UNSORTED
                state[LAST_REF], state[LAST_POS] = ref, pos
        if index[bai.STOP] == bai.GOING:
            next_at = at + 4 + size
            # An end at a block's end is the next block's start (its first, if some are empty).
            while block + 1 < len(block_starts) and block_starts[block + 1] < next_at:
                block += 1
            if block + 1 < len(block_starts) and block_starts[block + 1] == next_at:
                block += 1
            offset = (block_offsets[block] << 16) | (next_at - block_starts[block])
            _index(buf, at, ref, pos, n_cigar, flag, index, events, offset)
        taken += 1
        last = at
        at += 4 + size
    return OK, at, last


@numba.njit(nogil=True, cache=True)
def _index(
    buf: np.ndarray, at: int, ref: int, pos: int, n_cigar: int, flag: int, index: np.ndarray, events: np.ndarray,
    offset: int,
) -> None:  # fmt: skip
    """Hand one record to the index, with its end on the reference as htslib's `bam_endpos`
    has it: pos + the CIGAR's reference length, at least 1; pos + 1 if unmapped."""
    unmapped = flag & 0x4
    name_len = int(buf[at + 12])
    op_at = at + 36 + name_len
    if ref >= 0 and pos >= 0 and n_cigar and buf[op_at] & 0xF == 4 and _i32(buf, op_at) >> 4 == _i32(buf, at + 20):
        # A soft clip of the whole query first: the placeholder of a CIGAR kept in a CG tag,
        # which htslib swaps in on reading. Left to samtools.
        index[bai.STOP] = bai.CG_CIGAR
        return
    length, query = 0, 0
    for _ in range(n_cigar):
        op, n = buf[op_at] & 0xF, _i32(buf, op_at) >> 4
        if op == 0 or op == 2 or op == 3 or op == 7 or op == 8:  # M, D, N, =, X
            length += n
        if op == 0 or op == 1 or op == 4 or op == 7 or op == 8:  # M, I, S, =, X
            query += n
        op_at += 4
    l_seq = _i32(buf, at + 20)
    if n_cigar and not unmapped and l_seq > 0 and query != l_seq:
        index[bai.STOP] = bai.BAD_CIGAR  # htslib refuses to read such a record
        return
    bai.push(index, events, ref, pos, pos + (1 if unmapped else max(length, 1)), not unmapped, offset)
