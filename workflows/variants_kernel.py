"""The compiled per-line loop of the variant QC: numba over one large block of VCF text.

A line it cannot count exactly as the Python reference does (workflows/variants_lines.py)
is left to Python: the kernel stops before it (`DEFER`), Python counts that one line and
the kernel resumes after it, so everything is counted in file order (the QUAL sum too) and
an error names its line. In a well-formed file that is rare: fewer than 8 fields, a blank
line, a QUAL or DP that is not plain digits (`1e3`, `-5`, `nan`), non-ASCII alleles, a QUAL
or depth past the dense histograms. CHROM and FILTER values are interned in small open-
addressing tables (`Table`) kept across blocks; a full table stops the kernel (`FULL`) and
Python doubles it. Runs with the GIL released, beside igzip's inflating thread.
Compiled code is cached on disk where workflows/qc_numba.py says.
"""

from __future__ import annotations

import numpy as np

from workflows import qc_numba  # noqa: F401 (sets NUMBA_CACHE_DIR before numba loads)

import numba  # isort: skip

OK, DEFER, FULL = range(3)

# totals[] slots
LINES, RECORDS, SNP, MNP, INDEL, OTHER, NO_ALT, MULTI, MULTI_SNP, TS, TV, QUAL_MISSING, INFO_DP, FORMAT_DP = range(14)
NTOTALS = 14
KIND_SLOTS = (SNP, MNP, INDEL, OTHER)  # bit i of a record's kinds mask → totals slot

QUAL_BINS = 1 << 16  # integer QUAL values counted densely; others go to Python
DEPTH_BINS = 1 << 16

A, C, G, T = 65, 67, 71, 84
FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)
NONE, SNP_KIND, MNP_KIND, INDEL_KIND, OTHER_KIND = -1, 0, 1, 2, 3
IS_BASE = np.zeros(256, dtype=np.bool_)
IS_BASE[[A, C, G, T]] = True
POW10 = np.array([10.0**k for k in range(16)])  # exact: every power up to 10**22 is a double
NO_ALT_VALUES = (".", "*", "X", "<*>", "<X>", "<NON_REF>")
NO_ALT_BYTES = tuple(np.frombuffer(value.encode(), dtype=np.uint8) for value in NO_ALT_VALUES)


class Table:
    """Interned byte strings with a count each, in first-seen order (slots: hash, offset in
    pool, length, count; `order` lists used slots by first sight; meta: used, pool bytes)."""

    def __init__(self, capacity: int = 256, pool: int = 1 << 14) -> None:
        self.slots = np.zeros((capacity, 4), dtype=np.int64)
        self.slots[:, 2] = -1  # length -1: free
        self.order = np.zeros(capacity, dtype=np.int64)
        self.meta = np.zeros(2, dtype=np.int64)
        self.pool = np.zeros(pool, dtype=np.uint8)

    def items(self) -> list[tuple[bytes, int]]:
        """(value, count) in first-seen order."""
        found = []
        for slot in self.order[: self.meta[0]]:
            _, offset, length, count = self.slots[slot]
            found.append((self.pool[offset : offset + length].tobytes(), int(count)))
        return found

    def grow(self) -> None:
        """Twice the slots and pool, every value re-interned in the same order."""
        old = self.items()
        self.__init__(len(self.slots) * 2, len(self.pool) * 2)  # type: ignore[misc]
        for value, count in old:
            add(self, value, count)

    def has_room(self, extra: int) -> bool:
        return bool((self.meta[0] + 2) * 2 <= len(self.slots) and self.meta[1] + extra <= len(self.pool))


def add(table: Table, value: bytes, count: int = 1) -> None:
    """Count `value` (Python's way in: the lines the kernel leaves, and growing)."""
    while not table.has_room(len(value)):
        table.grow()
    data = np.frombuffer(value, dtype=np.uint8)
    _intern(data, 0, len(data), table.slots, table.order, table.meta, table.pool, count)


@numba.njit(nogil=True, cache=True)
def _intern(buf, start, stop, slots, order, meta, pool, count):  # type: ignore[no-untyped-def]
    """Add `count` to buf[start:stop]'s slot, taking a free slot the first time (the caller
    made sure there is room)."""
    h = FNV_OFFSET
    for i in range(start, stop):
        h = (h ^ np.uint64(buf[i])) * FNV_PRIME
    key = np.int64(h)
    mask = len(slots) - 1
    slot = np.int64(h & np.uint64(mask))
    length = stop - start
    while True:
        if slots[slot, 2] < 0:
            offset = meta[1]
            for i in range(length):
                pool[offset + i] = buf[start + i]
            slots[slot, 0], slots[slot, 1], slots[slot, 2], slots[slot, 3] = key, offset, length, count
            order[meta[0]] = slot
            meta[0] += 1
            meta[1] += length
            return
        if slots[slot, 0] == key and slots[slot, 2] == length:
            offset, same = slots[slot, 1], True
            for i in range(length):
                if pool[offset + i] != buf[start + i]:
                    same = False
                    break
            if same:
                slots[slot, 3] += count
                return
        slot = (slot + 1) & mask


@numba.njit(inline="always")
def _upper(byte):  # type: ignore[no-untyped-def]
    return byte - 32 if 97 <= byte <= 122 else byte


@numba.njit(inline="always")
def _is(buf, start, stop, text):  # type: ignore[no-untyped-def]
    if stop - start != len(text):
        return False
    for i in range(len(text)):  # noqa: SIM110 (numba compiles no generator in all())
        if buf[start + i] != text[i]:
            return False
    return True


@numba.njit(nogil=True, cache=True)
def allele_kind(buf, rs, re, a_s, a_e, no_alt):  # type: ignore[no-untyped-def]
    """workflows/variants_lines.allele_type over bytes: NONE, SNP_KIND, MNP_KIND, INDEL_KIND
    or OTHER_KIND (REF and ALT non-empty ASCII)."""
    first = buf[a_s]
    if a_e - a_s == 1 and (first == 46 or first == 42 or first == 88):  # '.', '*', 'X'
        return NONE
    if first == 60:  # '<'
        for k in range(len(no_alt)):
            if _is(buf, a_s, a_e, no_alt[k]):
                return NONE
        return OTHER_KIND
    for i in range(a_s, a_e):
        if buf[i] == 91 or buf[i] == 93:  # '[' ']'
            return OTHER_KIND
    rl, al = re - rs, a_e - a_s
    start = 0
    while start < rl and start < al and _upper(buf[rs + start]) == _upper(buf[a_s + start]):
        start += 1
    if start == rl and start == al:
        return NONE
    if start in (rl, al):
        return INDEL_KIND
    r_end, a_end = rl - 1, al - 1
    while r_end > start and a_end > start and _upper(buf[rs + r_end]) == _upper(buf[a_s + a_end]):
        r_end -= 1
        a_end -= 1
    r_span, a_span = r_end - start, a_end - start
    if r_span == 0 and a_span == 0:
        return SNP_KIND
    if r_span == 0 or a_span == 0:
        return INDEL_KIND if _upper(buf[rs + r_end]) == _upper(buf[a_s + a_end]) else OTHER_KIND
    return MNP_KIND if r_span == a_span else OTHER_KIND


@numba.njit(inline="always")
def _digits(buf, start, stop):  # type: ignore[no-untyped-def]
    """The value of 1 to 18 ASCII digits, else -1."""
    if stop <= start or stop - start > 18:
        return -1
    value = 0
    for i in range(start, stop):
        d = buf[i] - 48
        if d < 0 or d > 9:
            return -1
        value = value * 10 + d
    return value


@numba.njit(inline="always")
def _qual(buf, start, stop):  # type: ignore[no-untyped-def]
    """QUAL as Python's float() reads it, for digits with at most one '.' and at most 15
    digits (so mantissa / 10**k is one correctly rounded division); else -1.0."""
    mantissa, digits, fraction, dot = 0, 0, 0, False
    for i in range(start, stop):
        byte = buf[i]
        if byte == 46 and not dot:
            dot = True
        elif 48 <= byte <= 57:
            mantissa = mantissa * 10 + (byte - 48)
            digits += 1
            fraction += dot
        else:
            return -1.0
    if digits == 0 or digits > 15:
        return -1.0
    return mantissa / POW10[fraction]


@numba.njit(nogil=True, cache=True)
def scan(  # type: ignore[no-untyped-def]
    buf, start, end, eof, totals, qual_sum, qual_hist, depth_hist,
    c_slots, c_order, c_meta, c_pool, f_slots, f_order, f_meta, f_pool, no_alt, qual_log,
):  # fmt: skip
    """Count the lines of buf[start:end]; (status, where): OK and the start of the unfinished
    last line (end at eof), or DEFER / FULL and the start of the line not counted.
    With a non-empty `qual_log` (room for a value every 12 bytes: no shorter line has a
    QUAL), QUAL values are written there in order instead of added to qual_sum, so a block
    counted on another thread adds them in file order after the blocks before it."""
    tabs = np.empty(10, dtype=np.int64)
    i = start
    while i < end:
        # One pass to the newline, noting the first 9 tabs: field k is [tabs[k - 1] + 1,
        # tabs[k]), the last one runs to e (the line without its trailing CRs).
        n, j = 0, i
        while j < end:
            byte = buf[j]
            if byte == 10:
                break
            if byte == 9 and n < 9:
                tabs[n] = j
                n += 1
            j += 1
        if j == end and not eof:
            return OK, i
        e = j
        while e > i and buf[e - 1] == 13:
            e -= 1
        if n < 7:
            return DEFER, i
        tabs[n] = e
        fields = n + 1
        c_s, c_e = i, tabs[0]
        pos = _digits(buf, tabs[0] + 1, tabs[1])
        if pos < 0:
            return DEFER, i
        rs, re, alts_s, alts_e = tabs[2] + 1, tabs[3], tabs[3] + 1, tabs[4]
        if re <= rs:
            return DEFER, i
        for p in range(rs, re):
            if buf[p] > 127:
                return DEFER, i
        kinds, alleles, ts, tv, a_s, overlap = 0, 0, 0, 0, alts_s, False
        while True:
            a_e = a_s
            while a_e < alts_e and buf[a_e] != 44:
                a_e += 1
            if a_e == a_s:
                return DEFER, i
            for p in range(a_s, a_e):
                if buf[p] > 127:
                    return DEFER, i
            kind = allele_kind(buf, rs, re, a_s, a_e, no_alt)
            overlap |= a_e - a_s == 1 and buf[a_s] == 42  # '*'
            alleles += 1
            if kind >= 0:
                kinds |= 1 << kind
            if kind == SNP_KIND:
                at = 0
                while _upper(buf[rs + at]) == _upper(buf[a_s + at]):
                    at += 1
                r, a = _upper(buf[rs + at]), _upper(buf[a_s + at])
                if IS_BASE[r] and IS_BASE[a]:  # two different bases of ACGT: A+G and C+T sum uniquely
                    if r + a == A + G or r + a == C + T:
                        ts += 1
                    else:
                        tv += 1
            if a_e >= alts_e:
                break
            a_s = a_e + 1
        q_s, q_e = tabs[4] + 1, tabs[5]
        qual = -2.0  # missing
        if not (q_e - q_s == 1 and buf[q_s] == 46):
            qual = _qual(buf, q_s, q_e)
            if qual < 0 or qual >= QUAL_BINS:
                return DEFER, i
        f_s, f_e = tabs[5] + 1, tabs[6]
        # INFO/DP, else FORMAT/DP summed over the samples that have it.
        in_s, in_e = tabs[6] + 1, tabs[7]
        dp_s = -1
        if in_e - in_s >= 3 and buf[in_s] == 68 and buf[in_s + 1] == 80 and buf[in_s + 2] == 61:
            dp_s = in_s + 3
        else:
            for p in range(in_s, in_e - 3):
                if buf[p] == 59 and buf[p + 1] == 68 and buf[p + 2] == 80 and buf[p + 3] == 61:
                    dp_s = p + 4
                    break
        depth, source = -1, 0  # source: 0 none, 1 INFO, 2 FORMAT
        if dp_s >= 0:
            dp_e = dp_s
            while dp_e < in_e and buf[dp_e] != 59:
                dp_e += 1
            if not (dp_e - dp_s == 1 and buf[dp_s] == 46):
                depth = _digits(buf, dp_s, dp_e)
                if depth < 0 or depth >= DEPTH_BINS:
                    return DEFER, i
                source = 1
        elif fields >= 10:
            index, key, k_s = -1, 0, tabs[7] + 1
            for p in range(tabs[7] + 1, tabs[8] + 1):
                if p == tabs[8] or buf[p] == 58:
                    if p - k_s == 2 and buf[k_s] == 68 and buf[k_s + 1] == 80:
                        index = key
                        break
                    key += 1
                    k_s = p + 1
            if index >= 0:
                total, seen, field, value_s, p = 0, False, 0, tabs[8] + 1, tabs[8] + 1
                while p <= e:
                    if p == e or buf[p] == 9 or buf[p] == 58:
                        if field == index and not (p - value_s == 1 and buf[value_s] == 46):
                            value = _digits(buf, value_s, p)
                            if value < 0:
                                return DEFER, i
                            total += value
                            seen = True
                        field = 0 if (p == e or buf[p] == 9) else field + 1
                        value_s = p + 1
                    p += 1
                if seen:
                    if total >= DEPTH_BINS:
                        return DEFER, i
                    depth, source = total, 2
        if not (
            c_meta[0] * 2 + 4 <= len(c_slots)
            and c_meta[1] + (c_e - c_s) <= len(c_pool)
            and f_meta[0] * 2 + 4 <= len(f_slots)
            and f_meta[1] + (f_e - f_s) <= len(f_pool)
        ):
            return FULL, i
        # Every check passed: count the line.
        _intern(buf, c_s, c_e, c_slots, c_order, c_meta, c_pool, 1)
        _intern(buf, f_s, f_e, f_slots, f_order, f_meta, f_pool, 1)
        totals[LINES] += 1
        totals[RECORDS] += 1
        if kinds == 0 and not overlap:
            totals[NO_ALT] += 1
        for k in range(4):
            if kinds & (1 << k):
                totals[SNP + k] += 1
        if alleles > 1:
            totals[MULTI] += 1
            if kinds == 1 and not overlap:
                totals[MULTI_SNP] += 1
        totals[TS] += ts
        totals[TV] += tv
        if qual == -2.0:
            totals[QUAL_MISSING] += 1
        else:
            qual_hist[np.int64(qual)] += 1
            if len(qual_log):
                qual_log[totals[RECORDS] - 1 - totals[QUAL_MISSING]] = qual
            else:
                qual_sum[0] += qual
        if source == 1:
            depth_hist[depth] += 1
            totals[INFO_DP] += 1
        elif source == 2:
            depth_hist[depth] += 1
            totals[FORMAT_DP] += 1
        i = j + 1
    return OK, end
