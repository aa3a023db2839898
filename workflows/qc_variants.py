"""VCF/BCF QC: records by variant type, Ts/Tv, per-chromosome counts, QUAL and depth
distributions, samples and FILTER counts, in one streamed pass.

VCF text (plain, gzip or BGZF) is split here, line by line, so an error names its line;
BCF is decoded by pysam (htslib) and fed through the same counting as VCF lines. Memory
grows with the number of contigs, FILTER names and distinct integer QUAL and depth values,
not with the file. Variant types follow htslib's classification (what `bcftools stats`
counts). The summary's schema is in docs/qc.md (`latchlike.qc.variants/1`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import pysam
from flytekit import task, workflow
from flytekit.types.file import FlyteFile

from workflows import reports
from workflows.qc_common import QcInputError, QcOutputs, open_input, write_page
from workflows.qc_fasta import histogram

SCHEMA = "latchlike.qc.variants/1"
BCF_MAGIC = b"BCF\x02"
TYPES = ("snp", "mnp", "indel", "other")
_NO_ALT = frozenset({".", "*", "X", "<*>", "<X>", "<NON_REF>"})
_TRANSITIONS = frozenset({("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")})
_BASES = frozenset("ACGT")
CACHED_ALLELES = 32
"""REF + ALT bytes up to which a record's classification is cached."""


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


def record_alleles(ref: bytes, alt: bytes) -> Alleles | None:
    """The record's alleles classified (None when REF or an ALT is empty). Short pairs go
    through `_short_alleles`, a cache: most records repeat a few, so classifying is a
    lookup for nearly every line, and the cache stays under ~10 MB whatever the alleles."""
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
    return Alleles(tuple(kind for kind in TYPES if kind in kinds), len(alts) > 1, ts, tv)


_short_alleles = lru_cache(maxsize=1 << 16)(record_alleles)


@dataclass
class Counts:
    """The running statistics of one file."""

    records: int = 0
    samples: int = 0
    alleles: Counter[Alleles] = field(default_factory=Counter)
    """Records by what their alleles are: few distinct values, whatever the file."""
    chromosomes: Counter[bytes] = field(default_factory=Counter)
    filters: Counter[bytes] = field(default_factory=Counter)
    """By the whole FILTER column (`q10;s50` once); split into names for the summary."""
    qual: Counter[int] = field(default_factory=Counter)
    qual_sum: float = 0.0
    qual_missing: int = 0
    depth: Counter[int] = field(default_factory=Counter)
    depth_source: Counter[str] = field(default_factory=Counter)

    def add_lines(self, lines: Iterator[tuple[int, bytes]]) -> None:
        """Count every numbered data line. The hot loop: what it touches is a local, and a
        record's alleles are one cached lookup."""
        alleles, chromosomes, filters, quals, depths = (
            self.alleles,
            self.chromosomes,
            self.filters,
            self.qual,
            self.depth,
        )
        short, classify, records, qual_sum, qual_missing, info_depths = _short_alleles, record_alleles, 0, 0.0, 0, 0
        number = 0
        try:
            for number, line in lines:
                fields = line.rstrip(b"\r\n").split(b"\t", 9)
                if len(fields) < 8:
                    if not line.strip():
                        continue
                    raise QcInputError(f"line {number}: {len(fields)} tab-separated fields, a VCF record has 8 or more")
                chrom, pos, _, ref, alt, qual, filter_column, info = fields[:8]
                found = short(ref, alt) if len(ref) + len(alt) <= CACHED_ALLELES else classify(ref, alt)
                if found is None or not pos.isdigit():
                    raise QcInputError(f"line {number}: " + _bad_record(pos))
                records += 1
                alleles[found] += 1
                chromosomes[chrom] += 1
                filters[filter_column] += 1
                if qual == b".":
                    qual_missing += 1
                else:
                    try:
                        value = float(qual)
                        quals[int(value)] += 1  # int() refuses NaN and infinity too
                    except (ValueError, OverflowError):
                        raise QcInputError(f"line {number}: QUAL {_shown(qual)} is not a finite number") from None
                    qual_sum += value
                dp = _info_dp(info)
                if dp is None:
                    self._format_depth(fields, number)
                elif dp != b".":
                    depths[_integer(dp, "INFO/DP", number)] += 1
                    info_depths += 1
        except EOFError as error:
            raise QcInputError(f"the compressed stream ends early (truncated?) after line {number}") from error
        self.records += records
        self.qual_sum += qual_sum
        self.qual_missing += qual_missing
        self.depth_source["info"] += info_depths

    def _format_depth(self, fields: list[bytes], line: int) -> None:
        """FORMAT/DP summed over the samples that have it, for a record without INFO/DP."""
        if len(fields) < 10:
            return
        keys = fields[8].split(b":")
        if b"DP" not in keys:
            return
        index, total, seen = keys.index(b"DP"), 0, False
        for sample in fields[9].rstrip(b"\r\n").split(b"\t"):
            values = sample.split(b":")
            if index < len(values) and values[index] != b".":
                total += _integer(values[index], "FORMAT/DP", line)
                seen = True
        if seen:
            self.depth[total] += 1
            self.depth_source["format"] += 1

    def summary(self, bins: int) -> dict[str, Any]:
        types: Counter[str] = Counter()
        multiallelic = multiallelic_snp = ts = tv = 0
        for alleles, records in self.alleles.items():
            for kind in alleles.types or ("no_alt",):
                types[kind] += records
            multiallelic += alleles.multiallelic * records
            multiallelic_snp += (alleles.multiallelic and alleles.types == ("snp",)) * records
            ts += alleles.transitions * records
            tv += alleles.transversions * records
        filters: Counter[str] = Counter()
        for column, records in self.filters.items():
            for name in column.decode("utf-8", "replace").split(";"):
                filters[name] += records
        with_qual = self.records - self.qual_missing
        return {
            "schema": SCHEMA,
            "records": self.records,
            "samples": self.samples,
            "types": {kind: types[kind] for kind in (*TYPES, "no_alt")},
            "multiallelic": multiallelic,
            "multiallelic_snp": multiallelic_snp,
            "transitions": ts,
            "transversions": tv,
            "ts_tv": ts / tv if tv else None,
            "chromosomes": {name.decode("utf-8", "replace"): n for name, n in self.chromosomes.items()},
            "filters": dict(filters.most_common()),
            "qual": {
                "missing": self.qual_missing,
                "mean": self.qual_sum / with_qual if with_qual else None,
                "histogram": histogram(self.qual, bins),
            },
            "depth": {
                "source": dict(self.depth_source),
                "missing": self.records - sum(self.depth_source.values()),
                "mean": sum(d * n for d, n in self.depth.items()) / self.depth.total() if self.depth else None,
                "histogram": histogram(self.depth, bins),
            },
        }


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


def variants_summary(lines: Iterable[bytes], *, bins: int = 30) -> dict[str, Any]:
    """The statistics of the VCF text in `lines`. Raises QcInputError naming the line where
    the input stops being VCF (or where a compressed stream ends early)."""
    counts = Counts()
    numbered = enumerate(lines, 1)
    number = 0
    try:
        for number, line in numbered:
            if number == 1 and not line.startswith(b"##fileformat=VCF"):
                raise QcInputError("line 1: not VCF (no ##fileformat=VCF header line)")
            if line.startswith(b"#CHROM"):
                counts.samples = max(0, len(line.rstrip(b"\r\n").split(b"\t")) - 9)
                break
            if not line.startswith(b"#"):
                raise QcInputError(f"line {number}: a record before the #CHROM header line")
        else:
            if number == 0:
                raise QcInputError("line 1: the file is empty, not VCF")
            raise QcInputError(f"line {number}: the file ends before its #CHROM header line")
    except EOFError as error:
        raise QcInputError(f"the compressed stream ends early (truncated?) after line {number}") from error
    counts.add_lines(numbered)
    return counts.summary(bins)


def bcf_lines(path: str) -> Iterator[bytes]:
    """A BCF file's records as VCF text lines (header first), decoded by htslib."""
    try:
        with pysam.VariantFile(path) as variants:
            yield from str(variants.header).encode().splitlines(keepends=True)
            for record in variants:
                yield str(record).encode()
    except (OSError, ValueError) as error:
        raise QcInputError(f"not a readable BCF file: {error}") from error


def sections(summary: dict[str, Any]) -> list[reports.Section]:
    types, qual, depth = summary["types"], summary["qual"], summary["depth"]
    ts_tv = summary["ts_tv"]
    facts = [
        ("Records", f"{summary['records']:,}"), ("Samples", f"{summary['samples']:,}"),
        *((kind.upper() if kind != "no_alt" else "No ALT", f"{types[kind]:,}") for kind in types),
        ("Multiallelic sites", f"{summary['multiallelic']:,} ({summary['multiallelic_snp']:,} SNP only)"),
        ("Ts / Tv", f"{summary['transitions']:,} / {summary['transversions']:,}"
            + (f" = {ts_tv:.3f}" if ts_tv is not None else "")),
        ("Mean QUAL", "—" if qual["mean"] is None else f"{qual['mean']:.2f} ({qual['missing']:,} missing)"),
        ("Mean depth", "—" if depth["mean"] is None else f"{depth['mean']:.2f} (from {', '.join(depth['source'])})"),
        ("Compression", summary["compression"]),
    ]  # fmt: skip
    chromosomes, filters = summary["chromosomes"], summary["filters"]
    figures = [
        reports.bar("Records by type", list(types), list(types.values()), "Type", "Records"),
        reports.bar("Records per chromosome", list(chromosomes), list(chromosomes.values()), "Chromosome", "Records"),
        reports.bar("QUAL", *_bins(qual["histogram"]), "QUAL (bin start)", "Records"),
        reports.bar("Depth (DP)", *_bins(depth["histogram"]), "Depth (bin start)", "Records"),
        reports.bar("FILTER", list(filters), list(filters.values()), "Filter", "Records"),
    ]
    return [reports.Section(summary["file"] or "Variants", facts, figures)]


def _bins(found: dict[str, list[int]]) -> tuple[list[int], list[int]]:
    return found["edges"][:-1], found["counts"]


@task
def variants_stats(file: FlyteFile, histogram_bins: int = 30) -> QcOutputs:
    """Compute the variant statistics of one VCF or BCF file and write its summary and report.

    Args:
        file: A VCF (plain, gzip or BGZF) or BCF file.
        histogram_bins: How many bins the QUAL and depth histograms have at most.
    """
    summary = summarize(file, bins=histogram_bins)
    return write_page(summary, f"Variant QC: {summary['file']}", sections(summary))


def summarize(file: FlyteFile, *, bins: int = 30) -> dict[str, Any]:
    """The summary of one VCF or BCF file, with its name and compression (bench/qc.py times
    this and `sections` in a bare process)."""
    if bins < 1:
        raise QcInputError("histogram_bins must be 1 or more")
    with open_input(file) as (stream, compression):
        first = stream.readline()
        if first.startswith(BCF_MAGIC):
            summary = variants_summary(bcf_lines(file.download()), bins=bins)
            compression = "bgzf" if compression == "gzip" else compression
        else:
            summary = variants_summary(itertools.chain([first], stream), bins=bins)
    name = str(file.remote_source or file.path).rsplit("/", 1)[-1]
    return {**summary, "file": name, "compression": compression}


@workflow
def variants_qc(file: FlyteFile, histogram_bins: int = 30) -> QcOutputs:
    """VCF/BCF quality control.

    Counts records by variant type (SNP, MNP, indel, other; multiallelic sites), the
    transition/transversion ratio of SNPs, records per chromosome and per FILTER, the
    QUAL and depth (INFO/DP, else FORMAT/DP summed over samples) distributions and the
    number of samples. Runs by itself on every uploaded VCF or BCF file; run it here by
    hand for any other.

    __metadata__:
        display_name: Variant QC
        license:
            id: Apache-2.0
        tags: [qc, vcf, bcf]

    Args:
        file: A VCF (plain, gzip or BGZF) or BCF file.
          __metadata__:
            display_name: VCF or BCF file
        histogram_bins: How many bins the QUAL and depth histograms have at most.
          __metadata__:
            display_name: Histogram bins
    """
    return variants_stats(file=file, histogram_bins=histogram_bins)
