"""The variant QC's counting of one VCF data line in Python: the reference the compiled
kernel (workflows/variants_kernel.py) matches, and what counts the lines it leaves (odd
QUAL or DP spellings, non-ASCII alleles, blank lines) and raises the errors that name a line.

Variant types follow htslib's classification (what `bcftools stats` counts).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from workflows import variants_kernel as k
from workflows.qc_errors import QcInputError

TYPES = ("snp", "mnp", "indel", "other")
_NO_ALT = frozenset(k.NO_ALT_VALUES)
_TRANSITIONS = frozenset({("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")})
_BASES = frozenset("ACGT")


def allele_type(ref: str, alt: str) -> str:
    """What one ALT allele is against REF, as htslib classifies it: snp, mnp, indel, other,
    or none (a reference-only allele: '.', '*', <*>, <NON_REF>, or the same bases)."""
    if alt in _NO_ALT:
        return "none"
    if alt.startswith("<") or "[" in alt or "]" in alt:
        return "other"  # symbolic or breakend
    ref, alt = ref.upper(), alt.upper()
    start = 0
    while start < len(ref) and start < len(alt) and ref[start] == alt[start]:
        start += 1
    if start == len(ref) and start == len(alt):
        return "none"
    if start == len(ref) or start == len(alt):
        return "indel"  # one is a prefix of the other
    r_end, a_end = len(ref) - 1, len(alt) - 1
    while r_end > start and a_end > start and ref[r_end] == alt[a_end]:
        r_end, a_end = r_end - 1, a_end - 1
    r_span, a_span = r_end - start, a_end - start
    if r_span == 0 and a_span == 0:
        return "snp"
    if r_span == 0 or a_span == 0:  # one side is down to a single base
        return "indel" if ref[r_end] == alt[a_end] else "other"
    return "mnp" if r_span == a_span else "other"


def substitution(ref: str, alt: str) -> tuple[str, str]:
    """The (REF, ALT) base that differ in a SNP allele (the first differing position)."""
    ref, alt = ref.upper(), alt.upper()
    at = next((i for i, (r, a) in enumerate(zip(ref, alt, strict=False)) if r != a), 0)
    return ref[at], alt[at]


class Alleles(NamedTuple):
    """What one record's ALT alleles are against its REF."""

    types: tuple[str, ...]
    """Each type (snp, mnp, indel, other) at least one allele has, in TYPES order; () for none."""
    multiallelic: bool
    transitions: int
    transversions: int
    overlap: bool
    """An allele is `*` (htslib's VCF_OVERLAP): the record is then no no-ALT record, nor a
    multiallelic SNP site, though `*` has no type (as `bcftools stats` counts)."""


@lru_cache(maxsize=1 << 12)
def record_alleles(ref: bytes, alt: bytes) -> Alleles | None:
    """The record's alleles classified (None when REF or an ALT is empty)."""
    ref_text, alts = ref.decode("ascii", "replace"), alt.decode("ascii", "replace").split(",")
    if not ref_text or not all(alts):
        return None
    kinds = [allele_type(ref_text, allele) for allele in alts]
    ts = tv = 0
    for allele, kind in zip(alts, kinds, strict=True):
        if kind == "snp":
            pair = substitution(ref_text, allele)
            if pair[0] in _BASES and pair[1] in _BASES:
                ts += pair in _TRANSITIONS
                tv += pair not in _TRANSITIONS
    return Alleles(tuple(kind for kind in TYPES if kind in kinds), len(alts) > 1, ts, tv, "*" in alts)


@dataclass
class Tally:
    """The running statistics of one file, shared by the kernel and `count_line`. Integer
    QUAL and depth values past the dense histograms are counted in the `*_extra` Counters."""

    samples: int = 0
    totals: np.ndarray = field(default_factory=lambda: np.zeros(k.NTOTALS, dtype=np.int64))
    qual_sum: np.ndarray = field(default_factory=lambda: np.zeros(1))
    qual_hist: np.ndarray = field(default_factory=lambda: np.zeros(k.QUAL_BINS, dtype=np.int64))
    depth_hist: np.ndarray = field(default_factory=lambda: np.zeros(k.DEPTH_BINS, dtype=np.int64))
    qual_extra: Counter[int] = field(default_factory=Counter)
    depth_extra: Counter[int] = field(default_factory=Counter)
    chromosomes: k.Table = field(default_factory=k.Table)
    filters: k.Table = field(default_factory=k.Table)
    """By the whole FILTER column (`q10;s50` once); split into names for the summary."""


def count_line(tally: Tally, number: int, line: bytes) -> None:
    """Count data line `number` (its text without the newline), or raise naming it."""
    totals = tally.totals
    totals[k.LINES] += 1
    fields = line.rstrip(b"\r\n").split(b"\t", 9)
    if len(fields) < 8:
        if not line.strip():
            return
        raise QcInputError(f"line {number}: {len(fields)} tab-separated fields, a VCF record has 8 or more")
    chrom, pos, _, ref, alt, qual, filter_column = fields[:7]
    found = record_alleles(ref, alt)
    if found is None or not pos.isdigit():
        raise QcInputError(f"line {number}: " + _bad_record(pos))
    quality = None
    if qual != b".":
        try:
            quality = float(qual)
            whole = int(quality)  # int() refuses NaN and infinity too
        except (ValueError, OverflowError):
            raise QcInputError(f"line {number}: QUAL {_shown(qual)} is not a finite number") from None
    depth, source = _depth(fields, number)
    totals[k.RECORDS] += 1
    for kind in found.types:
        totals[k.KIND_SLOTS[TYPES.index(kind)]] += 1
    totals[k.NO_ALT] += not found.types and not found.overlap
    totals[k.MULTI] += found.multiallelic
    totals[k.MULTI_SNP] += found.multiallelic and found.types == ("snp",) and not found.overlap
    totals[k.TS] += found.transitions
    totals[k.TV] += found.transversions
    k.add(tally.chromosomes, chrom)
    k.add(tally.filters, filter_column)
    if quality is None:
        totals[k.QUAL_MISSING] += 1
    else:
        _bump(tally.qual_hist, tally.qual_extra, whole)
        tally.qual_sum[0] += quality
    if depth is not None:
        _bump(tally.depth_hist, tally.depth_extra, depth)
        totals[source] += 1


def _bump(dense: np.ndarray, extra: Counter[int], value: int) -> None:
    if 0 <= value < len(dense):
        dense[value] += 1
    else:
        extra[value] += 1


def _depth(fields: list[bytes], line: int) -> tuple[int | None, int]:
    """(depth, its totals slot): INFO/DP, else FORMAT/DP summed over the samples that have it."""
    dp = _info_dp(fields[7])
    if dp is not None:
        return (None, 0) if dp == b"." else (_integer(dp, "INFO/DP", line), k.INFO_DP)
    if len(fields) < 10:
        return None, 0
    keys = fields[8].split(b":")
    if b"DP" not in keys:
        return None, 0
    index, total, seen = keys.index(b"DP"), 0, False
    for sample in fields[9].rstrip(b"\r\n").split(b"\t"):
        values = sample.split(b":")
        if index < len(values) and values[index] != b".":
            total += _integer(values[index], "FORMAT/DP", line)
            seen = True
    return (total, k.FORMAT_DP) if seen else (None, 0)


def _info_dp(info: bytes) -> bytes | None:
    """The raw value of INFO/DP, or None without one."""
    if info.startswith(b"DP="):
        start = 3
    else:
        start = info.find(b";DP=")
        if start < 0:
            return None
        start += 4
    end = info.find(b";", start)
    return info[start : end if end >= 0 else None]


def _bad_record(pos: bytes) -> str:
    if not pos.isdigit():
        return f"POS {_shown(pos)} is not a position"
    return "an empty REF or ALT allele"


def _shown(value: bytes) -> str:
    return repr(value[:40].decode(errors="replace"))


def _integer(value: bytes, what: str, line: int) -> int:
    try:
        return int(value)
    except ValueError:
        raise QcInputError(f"line {line}: {what} {_shown(value)} is not an integer") from None
