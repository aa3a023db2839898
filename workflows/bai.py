"""A BAI file from the rows the compiled walk appends (workflows/bam_kernel.py): the same
bytes `samtools index` writes for the same BAM.

Byte for byte means doing what htslib does after the last record: bins too small to be worth
a seek (their chunks within 64 KiB of compressed data) folded into their parent, chunks
sorted and merged when one ends in the block where the next starts, empty 16 kbp windows
given the offset of the next filled one. And the order bins are written in is the order of
htslib's hash table (khash) of them, so `_BinTable` replays its layout: which bins were put
in it, in what order, and how it grew. That runs once per reference on a few thousand bins.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

from workflows import bam_kernel as k

EVENTS = 1 << 14  # rows of the walk's event table: drained whenever it is nearly full
N_BINS = 37449  # bins 0..37448; 37450 is the metadata pseudo-bin
MIN_MARKER_DIST = 0x10000  # a bin whose chunks span less compressed data joins its parent
LEVELS = 5


@dataclass
class _Reference:
    bins: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # bin → chunks, as inserted
    table: _BinTable = field(default_factory=lambda: _BinTable())
    windows: dict[int, int] = field(default_factory=dict)  # 16 kbp window → first offset

    def add(self, bin_: int, beg: int, end: int) -> None:
        self.table.put(bin_, bin_ in self.bins)  # every insertion, as one may grow the table
        self.bins.setdefault(bin_, []).append((beg, end))


class BaiBuilder:
    """Collects the walk's rows for `n_ref` references; `bai` writes the file at the end."""

    def __init__(self, n_ref: int) -> None:
        self.n_ref = n_ref
        self.events = np.zeros((EVENTS, 5), dtype=np.int64)
        self._refs: dict[int, _Reference] = {}

    def drain(self, index: np.ndarray) -> None:
        """Take the rows the walk appended and empty its table."""
        for kind, tid, a, b, c in self.events[: index[k.N_EVENTS]].tolist():
            ref = self._refs.setdefault(tid, _Reference())
            if kind == k.CHUNK:
                ref.add(a, b, c)
            else:
                for window in range(a, b + 1):
                    ref.windows[window] = c
        index[k.N_EVENTS] = 0

    def bai(self, index: np.ndarray) -> bytes:
        """The BAI, given the state after the last record (htslib's `hts_idx_finish`)."""
        self.drain(index)
        final = int(index[k.LAST_OFF])
        if index[k.SAVE_TID] >= 0:
            ref = self._refs.setdefault(int(index[k.SAVE_TID]), _Reference())
            ref.add(int(index[k.SAVE_BIN]), int(index[k.SAVE_OFF]), final)
            ref.add(k.META_BIN, int(index[k.OFF_BEG]), final)
            ref.add(k.META_BIN, int(index[k.N_MAPPED]), int(index[k.N_UNMAPPED]))
        out = [b"BAI\x01", struct.pack("<i", self.n_ref)]
        for tid in range(self.n_ref):
            out.append(_reference_bytes(self._refs.get(tid)))
        out.append(struct.pack("<Q", int(index[k.N_NO_COOR])))
        return b"".join(out)


def _reference_bytes(ref: _Reference | None) -> bytes:
    if ref is None:
        return struct.pack("<ii", 0, 0)
    table = ref.table
    bins = _compress(table, ref.bins)
    out = [struct.pack("<i", len(bins))]
    for bin_ in table.in_order():
        chunks = bins[bin_]
        out.append(struct.pack("<Ii", bin_, len(chunks)))
        out.append(struct.pack(f"<{2 * len(chunks)}Q", *(n for chunk in chunks for n in chunk)))
    linear = _linear(ref.windows)
    out.append(struct.pack("<i", len(linear)) + struct.pack(f"<{len(linear)}Q", *linear))
    return b"".join(out)


def _linear(windows: dict[int, int]) -> list[int]:
    """The linear index: a window no record starts in takes the offset of the next one that has."""
    if not windows:
        return []
    offsets = [windows.get(i, -1) for i in range(max(windows) + 1)]
    for i in range(len(offsets) - 2, -1, -1):
        if offsets[i] == -1:
            offsets[i] = offsets[i + 1]
    return offsets


def _compress(table: _BinTable, chunks: dict[int, list[tuple[int, int]]]) -> dict[int, list[tuple[int, int]]]:
    """htslib's `compress_binning`: fold small bins into their parents, level by level, in the
    table's order (which decides what a parent holds when its own turn comes), then merge."""
    bins = {bin_: list(c) for bin_, c in chunks.items()}
    for level in range(LEVELS, 0, -1):
        first = ((1 << 3 * level) - 1) // 7
        for bin_ in table.in_order():
            if bin_ >= N_BINS or bin_ < first:
                continue
            own = bins[bin_]
            if level < LEVELS:
                own.sort()
            parent = (bin_ - 1) >> 3
            if (own[-1][1] >> 16) - (own[0][0] >> 16) < MIN_MARKER_DIST and parent in bins:
                bins[parent].extend(own)
                del bins[bin_]
                table.delete(bin_)
    for bin_, own in bins.items():
        if bin_ >= N_BINS:
            continue
        own.sort()
        merged = [own[0]]
        for beg, end in own[1:]:
            if merged[-1][1] >> 16 >= beg >> 16:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((beg, end))
        bins[bin_] = merged
    return bins


class _BinTable:
    """The slot layout of a khash map with integer keys (identity hash, quadratic probing,
    grown at 77 % load by rehashing in place), for the order it iterates in. Only what the
    indexer does to it: put new keys, then delete some."""

    def __init__(self) -> None:
        self.slots: list[int | None] = []  # a key, or None when empty
        self.deleted: set[int] = set()  # slots whose key was deleted
        self.size = 0
        self.upper = 0

    def in_order(self) -> list[int]:
        """The live keys in slot order: the order khash iterates, and htslib writes bins, in."""
        return [key for i, key in enumerate(self.slots) if key is not None and i not in self.deleted]

    def put(self, key: int, present: bool) -> None:
        """khash's `kh_put` of a key, `present` or new: either may first grow the table."""
        if self.size >= self.upper:  # no deletions happen before the last put: growing is the only case
            self._resize(2 * len(self.slots) or 4)
        if present:
            return
        mask, step = len(self.slots) - 1, 0
        i = key & mask
        while self.slots[i] is not None:
            i = (i + (step := step + 1)) & mask
        self.slots[i] = key
        self.size += 1

    def delete(self, key: int) -> None:
        self.deleted.add(self.slots.index(key))

    def _resize(self, n: int) -> None:
        """Rehash into n slots the way khash does: in place, each key put where it hashes,
        kicking out a key not yet moved that sits there, which is then placed in turn."""
        old, n_old = self.slots, len(self.slots)
        self.slots = old + [None] * (n - n_old)
        moved = [False] * n_old  # khash's "deleted" mark on the old flags: already rehashed
        taken = [False] * n  # the new flags: slot holds a rehashed key
        for j, key in enumerate(old):
            if key is None or moved[j]:
                continue
            moved[j] = True
            while True:
                i, step = key & (n - 1), 0
                while taken[i]:
                    i = (i + (step := step + 1)) & (n - 1)
                taken[i] = True
                kicked = old[i] if i < n_old else None
                if kicked is not None and not moved[i]:
                    self.slots[i], key = key, kicked
                    moved[i] = True
                else:
                    self.slots[i] = key
                    break
        for i in range(n):
            if not taken[i]:
                self.slots[i] = None
        self.upper = int(n * 0.77 + 0.5)
