"""The compiled per-record loop of the FASTQ QC: numba over one large byte block at a time.

It runs with the GIL released (`nogil`), so two threads can each scan a block of their own.
Compiled kernels are cached on disk so only the first run on a machine pays the compile:
`NUMBA_CACHE_DIR` if set, else the user cache (`$XDG_CACHE_HOME` or ~/.cache)/latchlike/numba,
never site-packages (which may be read-only, and is shared by every user).
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

MAX_POS = 1000  # per-position tables: positions past this fold into the last row
MAX_LEN = 100_000  # length histogram: longer reads fold into the last bin
QBINS = 94  # quality characters '!' (33) .. '~' (126)
NBASES = 5  # A, C, G, T, N
HLL_BITS = 14  # HyperLogLog of distinct sequences: 2^14 one-byte registers, ~0.8 % error
ADAPTER_K = 12
# Illumina universal (AGATCGGAAGAG) and Nextera (CTGTCTCTTATA) adapter prefixes, 2 bits a base.
ADAPTERS = ("AGATCGGAAGAG", "CTGTCTCTTATA")

OK, INCOMPLETE, BAD_HEADER, BAD_PLUS, QUAL_LENGTH, BAD_QUAL, BAD_SEQ = range(7)

# counts[] slots
READS, BASES, GC = range(3)
NCOUNTS = 3


def _encode(kmer: str) -> int:
    value = 0
    for base in kmer:
        value = (value << 2) | "ACGT".index(base)
    return value


EOL, BAD = 5, 6  # base codes past N: end of line (LF or CR), not a letter


def _base_codes() -> np.ndarray:
    """Byte → 0..3 for ACGT (either case), 4 for N and any other letter, EOL, BAD."""
    codes = np.full(256, BAD, dtype=np.uint8)
    codes[10] = codes[13] = EOL
    for byte in range(256):
        if chr(byte).isascii() and chr(byte).isalpha():
            codes[byte] = 4
    for code, base in enumerate("ACGT"):
        codes[ord(base)] = codes[ord(base.lower())] = code
    return codes


CODES = _base_codes()
AD0 = np.uint64(_encode(ADAPTERS[0]))
AD1 = np.uint64(_encode(ADAPTERS[1]))
KMASK = np.uint64((1 << (2 * ADAPTER_K)) - 1)
# Whether the last 6 bases (12 bits) end either adapter prefix: one table load a base rules out
# nearly every position before the two 12-base comparisons (at every base, a fifth of the scan).
TAIL_MASK = np.uint64(0xFFF)
ADAPTER_TAILS = np.zeros(1 << 12, dtype=np.uint8)
ADAPTER_TAILS[[int(AD0 & TAIL_MASK), int(AD1 & TAIL_MASK)]] = 1
# An unsigned index: numba emits no negative-index wraparound for it (three instructions a
# byte in the hot loops, a fifth of the scan's time).
U = np.uint64
FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


def new_tables() -> dict[str, np.ndarray]:
    """Zeroed accumulators for one thread; merged by `merge` (sum, and max for the sketch)."""
    return {
        "counts": np.zeros(NCOUNTS, dtype=np.int64),
        "pos_qual": np.zeros((MAX_POS, QBINS), dtype=np.int64),
        "pos_base": np.zeros((MAX_POS, NBASES), dtype=np.int64),
        "lengths": np.zeros(MAX_LEN + 1, dtype=np.int64),
        "mean_qual": np.zeros(QBINS, dtype=np.int64),
        "gc": np.zeros(101, dtype=np.int64),
        "adapters": np.zeros((len(ADAPTERS), MAX_POS), dtype=np.int64),
        "hll": np.zeros(1 << HLL_BITS, dtype=np.uint8),
    }


def merge(into: dict[str, np.ndarray], other: dict[str, np.ndarray]) -> None:
    for name, table in other.items():
        if name == "hll":
            np.maximum(into[name], table, out=into[name])
        else:
            into[name] += table


def scan(buf: np.ndarray, start: int, end: int, eof: bool, tables: dict[str, np.ndarray]) -> tuple[int, int, int, int]:
    """Accumulate every complete record of buf[start:end] into tables.

    Returns (status, stop, records, where): stop is the offset just past the last record
    taken (the start of an incomplete one), where the offset a malformed record fails at.
    The per-position tables go in flat: a row then has a constant stride, not a multiply
    by the array's run-time stride at every base. buf goes in read-only, as a memory map
    is: numba compiles (and loads) a kernel per kind of array, so there is only one.
    """
    return _scan(
        _read_only(buf), start, end, eof, tables["counts"], tables["pos_qual"].reshape(-1),
        tables["pos_base"].reshape(-1), tables["lengths"], tables["mean_qual"], tables["gc"], tables["adapters"],
        tables["hll"],
    )  # fmt: skip


@numba.njit(nogil=True, cache=True)
def _line_end(buf: np.ndarray, i: int, end: int) -> int:
    while i < end and buf[U(i)] != 10:
        i += 1
    return i


@numba.njit(nogil=True, cache=True)
def _record_end(buf: np.ndarray, after: int, end: int, eof: bool) -> int:
    """Where the next record starts, given where the quality line should end: -1 when the
    block ends first (incomplete), -2 when the line goes on (wrong quality length)."""
    if after >= end:
        return end if after == end and eof else -1
    if buf[after] == 10:
        return after + 1
    if buf[after] != 13:
        return -2
    if after + 1 < end:
        return after + 2 if buf[after + 1] == 10 else -2
    return end if eof else -1


@numba.njit(nogil=True, cache=True)
def _undo(buf: np.ndarray, s: int, n: int, pos_base: np.ndarray) -> None:
    """Take back the composition counts of a record found incomplete or malformed."""
    for i in range(n):
        pp = i if i < MAX_POS else MAX_POS - 1
        pos_base[pp * NBASES + CODES[buf[s + i]]] -= 1


@numba.njit(nogil=True, cache=True)
def _scan(buf, start, end, eof, counts, pos_qual, pos_base, lengths, mean_qual, gc_hist, adapters, hll):  # type: ignore[no-untyped-def]
    p = start
    records = 0
    while p < end:
        if buf[p] != 64:  # '@'
            if eof:
                q = p
                while q < end and (buf[q] == 10 or buf[q] == 13 or buf[q] == 32):
                    q += 1
                if q == end:  # trailing blank lines
                    return OK, end, records, p
            return BAD_HEADER, p, records, p
        h_end = _line_end(buf, p, end)
        if h_end >= end:
            return INCOMPLETE, p, records, p
        s = h_end + 1
        # Sequence: composition per position, GC, adapters, hash for the duplicate sketch,
        # in one pass that also finds the line's end (ACGT is the hot path: no data-dependent
        # branch on it, GC is arithmetic on the code, the hash takes a multiply per 32 bases).
        h = FNV_OFFSET
        word = np.uint64(0)  # the last 32 bases, 2 bits each: hashed a word at a time
        last_n = -1  # an N ends every adapter k-mer over it
        gc = 0
        first0 = -1
        first1 = -1
        i = 0
        ended = False
        while not ended:
            # 32 bases between two multiplies of the hash: updated every base (as a select),
            # its multiply would chain each base's work to the one before.
            stop = min(i + 32, end - s)
            while i < stop:
                c = CODES[buf[U(s + i)]]
                if c >= 4:
                    if c == EOL:
                        ended = True
                        break
                    if c == BAD:
                        _undo(buf, s, i, pos_base)
                        return BAD_SEQ, p, records, s + i
                    last_n = i
                    h = (h ^ np.uint64(i + 0x100)) * FNV_PRIME  # where the Ns are tells reads apart
                pp = i if i < MAX_POS else MAX_POS - 1
                pos_base[U(pp * NBASES + c)] += 1
                gc += ((c + 1) >> 1) & 1  # C (1) and G (2) count; A, T, N do not
                word = (word << np.uint64(2)) | np.uint64(c & 3)
                kmer = word & KMASK  # the last 12 bases
                if ADAPTER_TAILS[U(word & TAIL_MASK)] and kmer in (AD0, AD1) and i - last_n >= ADAPTER_K:
                    if kmer == AD0 and first0 < 0:
                        first0 = i - ADAPTER_K + 1
                    elif kmer == AD1 and first1 < 0:
                        first1 = i - ADAPTER_K + 1
                i += 1
            if not ended:
                if s + i >= end:
                    _undo(buf, s, i, pos_base)
                    return INCOMPLETE, p, records, p
                h = (h ^ word) * FNV_PRIME
        s_end = s + i
        if buf[s_end] == 13:  # CRLF: the CR must end the line
            if s_end + 1 >= end:
                _undo(buf, s, i, pos_base)
                return INCOMPLETE, p, records, p
            if buf[s_end + 1] != 10:
                _undo(buf, s, i, pos_base)
                return BAD_SEQ, p, records, s_end
            s_end += 1
        n = i
        plus = s_end + 1
        if plus >= end:
            _undo(buf, s, n, pos_base)
            return INCOMPLETE, p, records, p
        if buf[plus] != 43:  # '+'
            _undo(buf, s, n, pos_base)
            return BAD_PLUS, p, records, plus
        plus_end = _line_end(buf, plus, end)
        q = plus_end + 1
        after = q + n
        nxt = _record_end(buf, after, end, eof)
        if nxt < 0:
            _undo(buf, s, n, pos_base)
            if nxt == -1:
                return INCOMPLETE, p, records, p
            return QUAL_LENGTH, p, records, after
        qsum = np.int64(0)
        row = U(0)  # the position's row in pos_qual, stepped (a multiply a base costs more)
        for i in range(n):
            v = np.int64(buf[U(q + i)]) - 33
            if v < 0 or v >= QBINS:
                return (QUAL_LENGTH if v == 10 - 33 else BAD_QUAL), p, records, q + i
            pos_qual[row + U(v)] += 1
            if i < MAX_POS - 1:
                row += U(QBINS)
            qsum += v
        counts[READS] += 1
        counts[BASES] += n
        counts[GC] += gc
        lengths[n if n < MAX_LEN else MAX_LEN] += 1
        if n > 0:
            mean_qual[qsum // n] += 1
            gc_hist[(200 * gc + n) // (2 * n)] += 1
        if first0 >= 0:
            adapters[0, first0 if first0 < MAX_POS else MAX_POS - 1] += 1
        if first1 >= 0:
            adapters[1, first1 if first1 < MAX_POS else MAX_POS - 1] += 1
        # HyperLogLog: finalize the hash (splitmix64), top bits pick a register, rank of the rest.
        x = ((h ^ word) * FNV_PRIME) ^ np.uint64(n)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
        reg = np.int64(x >> np.uint64(64 - HLL_BITS))
        w = x << np.uint64(HLL_BITS)
        rank = 1
        while rank <= 64 - HLL_BITS and (w & np.uint64(0x8000000000000000)) == 0:
            rank += 1
            w = w << np.uint64(1)
        if rank > hll[reg]:
            hll[reg] = rank
        records += 1
        p = nxt
    return OK, p, records, p


def last_record_start(buf: np.ndarray, end: int) -> int:
    """The start of the last record in buf[:end], 0 when none starts past the first byte."""
    return int(_last_record_start(_read_only(buf), end))


def _read_only(buf: np.ndarray) -> np.ndarray:
    if not buf.flags.writeable:
        return buf
    view = buf.view()
    view.flags.writeable = False
    return view


@numba.njit(nogil=True, cache=True)
def _last_record_start(buf: np.ndarray, end: int) -> int:
    """The start of the last record in buf[:end] whose '+' line also starts there, searched
    backwards; 0 when none starts past the first byte. A record start is a line opening with
    '@' whose line two further down opens with '+': a quality line may open with '@', but two
    lines below it is a sequence, which never opens with '+'. Exact on well-formed input; on
    malformed input the scan that follows finds the problem."""
    i = end - 1
    while i > 0:
        if buf[i] == 64 and buf[i - 1] == 10:
            j = _line_end(buf, i, end) + 1
            j = _line_end(buf, j, end) + 1
            if j < end and buf[j] == 43:
                return i
        i -= 1
    return 0


def load() -> None:
    """Load the compiled kernels now (from the disk cache; compiled there on a machine's
    first run). The task module calls it when imported, so a process that imports it once
    and forks a process per task (the fork server) loads them once, not in every task."""
    record = np.frombuffer(b"@r\nA\n+\nI\n", dtype=np.uint8)
    scan(record, 0, len(record), True, new_tables())
    last_record_start(record, len(record))
