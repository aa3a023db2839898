"""The compiled record walk of the alignment QC: numba over decompressed BAM bytes.

A BAM record is a little-endian block whose first 36 bytes are fixed-offset fields (SAM
spec §4.2), so flagstat-style counts need no per-record Python: the kernel reads flag,
reference, position, MAPQ, mate reference, TLEN and the CIGAR ops straight from the bytes
and adds into numpy tables; for a sorted BAM it also does the per-record half of its BAI.
It runs with the GIL released (`nogil`), so the next block can be inflated meanwhile.
Compiled code is cached on disk where workflows/qc_numba.py says.
"""

from __future__ import annotations

from workflows import qc_numba  # noqa: F401 (sets NUMBA_CACHE_DIR before numba loads)

import numba  # isort: skip
import numpy as np

# Indices into the `counts` table, in the order of alignment_stats.COUNTS.
(TOTAL, PRIMARY, SECONDARY, SUPPLEMENTARY, DUPLICATES, PRIMARY_DUPLICATES, MAPPED, PRIMARY_MAPPED, QC_FAILED,
 PAIRED, READ1, READ2, PROPERLY_PAIRED, BOTH_MAPPED, SINGLETONS, MATE_OTHER, MATE_OTHER_MAPQ5) = range(17)  # fmt: skip
N_COUNTS = 17
# Indices into the `state` table, which carries what one block leaves to the next.
LAST_REF, LAST_POS, UNMAPPED_SEEN, UNSORTED_AT, UNSORTED_OFFSET, INSERTS_OVER = range(6)
# What `walk` stops on. FULL: `events` has no room for another record's; drain it, call again.
OK, BAD_SIZE, BAD_REFERENCE, FULL = range(4)
FIXED = 32  # bytes of fixed fields after block_size


# The index: the per-record half of a BAI (SAMv1 §5), what htslib's indexer does for each
# record: the record's bin from [pos, end), a chunk closed each time the bin changes, the two
# pseudo-bin chunks (offsets, then mapped and unmapped counts) when the reference changes, and
# the first record offset of every 16 kbp window. It does not build the tables: it appends
# what htslib would insert as rows of `events`, and workflows/bai.py lays them out, merges
# chunks and writes the file. Sorted input makes this small: a run of records in one bin is
# one row, and a window is filled once. `index` carries the state from one call to the next.
# (Here, not in a module of its own: numba's cache of `walk` holds the code of what it calls
# but is invalidated by changes to this file only.)

# Slots of `index`, the builder state carried between calls (htslib's `idx->z`).
(STOP, LAST_TID, LAST_BIN, SAVE_TID, SAVE_BIN, SAVE_OFF, LAST_OFF, OFF_BEG, N_MAPPED, N_UNMAPPED, N_NO_COOR,
 WINDOW_MAX, N_EVENTS) = range(13)  # fmt: skip
N_SLOTS = 13
# Why the index stopped (index[STOP]): it is written only if this stays GOING.
GOING, UNWANTED, UNSORTED, CG_CIGAR, TOO_LONG, BAD_CIGAR = range(6)
# Event kinds (column 0 of `events`): a chunk (tid, bin, beg, end) or a linear-index fill
# (tid, first window, last window, offset).
CHUNK, WINDOWS = 0, 1
EVENT_ROOM = 4  # rows one record may add
META_BIN = 37450
MAX_POS = 1 << 29  # the last position a BAI can hold
NONE = -1  # htslib's 0xffffffff "no bin yet"


def new_index(offset0: int, wanted: bool) -> np.ndarray:
    """The state before the first record, whose virtual offset is `offset0`."""
    index = np.zeros(N_SLOTS, dtype=np.int64)
    index[STOP] = GOING if wanted else UNWANTED
    index[LAST_TID] = index[SAVE_TID] = NONE
    index[LAST_BIN] = index[SAVE_BIN] = NONE
    index[SAVE_OFF] = index[LAST_OFF] = index[OFF_BEG] = offset0
    return index


@numba.njit(nogil=True, cache=True, inline="always")
def reg2bin(beg: int, end: int) -> int:
    """The smallest bin holding [beg, end) (SAMv1 §5.3)."""
    end -= 1
    if beg >> 14 == end >> 14:
        return 4681 + (beg >> 14)
    if beg >> 17 == end >> 17:
        return 585 + (beg >> 17)
    if beg >> 20 == end >> 20:
        return 73 + (beg >> 20)
    if beg >> 23 == end >> 23:
        return 9 + (beg >> 23)
    if beg >> 26 == end >> 26:
        return 1 + (beg >> 26)
    return 0


@numba.njit(nogil=True, cache=True, inline="always")
def _event(events: np.ndarray, index: np.ndarray, kind: int, tid: int, a: int, b: int, c: int) -> None:
    row = index[N_EVENTS]
    events[row, 0], events[row, 1], events[row, 2], events[row, 3], events[row, 4] = kind, tid, a, b, c
    index[N_EVENTS] = row + 1


@numba.njit(nogil=True, cache=True)
def _push(index: np.ndarray, events: np.ndarray, tid: int, beg: int, end: int, mapped: bool, offset: int) -> None:
    """Index one record on `tid` covering [beg, end) (tid -1: no coordinate) whose end is at
    virtual offset `offset`; its start is index[LAST_OFF], the previous record's end."""
    if tid < 0:
        beg, end = -1, 0
    elif beg > MAX_POS or end > MAX_POS:
        index[STOP] = TOO_LONG
        return
    if index[LAST_TID] != tid:  # a new reference (or the unplaced tail)
        index[LAST_TID], index[LAST_BIN], index[WINDOW_MAX] = tid, NONE, -1
    if tid >= 0:
        beg, end = max(beg, 0), max(end, 1)
        # Sorted: every window up to WINDOW_MAX from this record's first one on is filled already.
        last_window = (end - 1) >> 14
        if last_window > index[WINDOW_MAX]:
            _event(events, index, WINDOWS, tid, max(beg >> 14, index[WINDOW_MAX] + 1), last_window, index[LAST_OFF])
            index[WINDOW_MAX] = last_window
    else:
        index[N_NO_COOR] += 1
    bin_ = reg2bin(beg, end)
    if index[LAST_BIN] != bin_:
        if index[SAVE_BIN] != NONE:
            _event(events, index, CHUNK, index[SAVE_TID], index[SAVE_BIN], index[SAVE_OFF], index[LAST_OFF])
        if index[LAST_BIN] == NONE and index[SAVE_BIN] != NONE:  # the reference changed: close its metadata
            _event(events, index, CHUNK, index[SAVE_TID], META_BIN, index[OFF_BEG], index[LAST_OFF])
            _event(events, index, CHUNK, index[SAVE_TID], META_BIN, index[N_MAPPED], index[N_UNMAPPED])
            index[N_MAPPED] = index[N_UNMAPPED] = 0
            index[OFF_BEG] = index[LAST_OFF]
        index[SAVE_OFF] = index[LAST_OFF]
        index[SAVE_BIN] = index[LAST_BIN] = bin_
        index[SAVE_TID] = tid
    if mapped:
        index[N_MAPPED] += 1
    else:
        index[N_UNMAPPED] += 1
    index[LAST_OFF] = offset


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
    While index[STOP] is GOING, each record is also indexed (`_push` below), its
    virtual offset found from the BGZF blocks buf holds: block i starts at buf[block_starts[i]]
    and at compressed byte block_offsets[i]; a last entry stands for the block after them."""
    n_ref = len(contig_reads)
    top = len(inserts) - 1
    at, taken, last, block = start, 0, -1, 0
    while at + 4 <= end:
        if index[STOP] == GOING and index[N_EVENTS] + EVENT_ROOM > len(events):
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
                    if index[STOP] == GOING:
                        index[STOP] = UNSORTED
                state[LAST_REF], state[LAST_POS] = ref, pos
        if index[STOP] == GOING:
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
        index[STOP] = CG_CIGAR
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
        index[STOP] = BAD_CIGAR  # htslib refuses to read such a record
        return
    _push(index, events, ref, pos, pos + (1 if unmapped else max(length, 1)), not unmapped, offset)
