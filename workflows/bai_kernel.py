"""The per-record half of a BAI (SAMv1 §5), compiled, called by the BAM walk
(workflows/bam_kernel.py) for every record of a coordinate-sorted BAM.

It follows what htslib's indexer does for each record: a record's bin from [pos, end), a
chunk closed each time the bin changes, the two pseudo-bin chunks (offsets, then mapped and
unmapped counts) when the reference changes, and the first record offset of every 16 kbp
window. It does not build the tables: it appends what htslib would insert as rows of
`events`, so the Python side (workflows/bai.py) lays them out, merges chunks and writes the
file. Sorted input makes this small: a run of records in one bin is one row, and a window is
filled once. `index` carries the builder's state from one call to the next.
"""

from __future__ import annotations

import numba
import numpy as np

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
def push(index: np.ndarray, events: np.ndarray, tid: int, beg: int, end: int, mapped: bool, offset: int) -> None:
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
