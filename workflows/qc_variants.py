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
from typing import Any

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


@dataclass
class Counts:
    """The running statistics of one file."""

    records: int = 0
    samples: int = 0
    types: Counter[str] = field(default_factory=Counter)
    multiallelic: int = 0
    multiallelic_snp: int = 0
    transitions: int = 0
    transversions: int = 0
    chromosomes: Counter[str] = field(default_factory=Counter)
    filters: Counter[str] = field(default_factory=Counter)
    qual: Counter[int] = field(default_factory=Counter)
    qual_sum: float = 0.0
    qual_missing: int = 0
    depth: Counter[int] = field(default_factory=Counter)
    depth_source: Counter[str] = field(default_factory=Counter)

    def add(self, fields: list[bytes], line: int) -> None:
        """Count one data line, split on tabs into at most 10 parts (the samples stay one)."""
        if len(fields) < 8:
            raise QcInputError(f"line {line}: {len(fields)} tab-separated fields, a VCF record has at least 8")
        chrom, pos, _, ref_b, alt_b, qual_b, filter_b, info = fields[:8]
        if not pos.isdigit():
            raise QcInputError(f"line {line}: POS {pos[:40].decode(errors='replace')!r} is not a position")
        ref, alts = ref_b.decode("ascii", "replace"), alt_b.decode("ascii", "replace").split(",")
        if not ref or not all(alts):
            raise QcInputError(f"line {line}: an empty REF or ALT allele")
        self.records += 1
        self.chromosomes[chrom.decode("utf-8", "replace")] += 1
        self._alleles(ref, alts)
        self._qual(qual_b, line)
        for name in filter_b.split(b";"):
            self.filters[name.decode("utf-8", "replace")] += 1
        self._depth(info, fields, line)

    def _alleles(self, ref: str, alts: list[str]) -> None:
        kinds = {allele_type(ref, alt) for alt in alts}
        kinds.discard("none")
        if not kinds:
            self.types["no_alt"] += 1
        for kind in kinds:
            self.types[kind] += 1
        if len(alts) > 1:
            self.multiallelic += 1
            self.multiallelic_snp += kinds == {"snp"}
        if "snp" in kinds:
            for alt in alts:
                if allele_type(ref, alt) == "snp":
                    pair = substitution(ref, alt)
                    if pair[0] in _BASES and pair[1] in _BASES:
                        if pair in _TRANSITIONS:
                            self.transitions += 1
                        else:
                            self.transversions += 1

    def _qual(self, qual: bytes, line: int) -> None:
        if qual == b".":
            self.qual_missing += 1
            return
        try:
            value = float(qual)
        except ValueError:
            raise QcInputError(f"line {line}: QUAL {qual[:40].decode(errors='replace')!r} is not a number") from None
        self.qual[int(value)] += 1
        self.qual_sum += value

    def _depth(self, info: bytes, fields: list[bytes], line: int) -> None:
        value = _info_dp(info)
        if value is not None:
            if value != b".":
                self.depth[_integer(value, "INFO/DP", line)] += 1
                self.depth_source["info"] += 1
            return
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
        ts, tv = self.transitions, self.transversions
        with_qual = self.records - self.qual_missing
        return {
            "schema": SCHEMA,
            "records": self.records,
            "samples": self.samples,
            "types": {kind: self.types[kind] for kind in (*TYPES, "no_alt")},
            "multiallelic": self.multiallelic,
            "multiallelic_snp": self.multiallelic_snp,
            "transitions": ts,
            "transversions": tv,
            "ts_tv": ts / tv if tv else None,
            "chromosomes": dict(self.chromosomes),
            "filters": dict(self.filters.most_common()),
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


def _integer(value: bytes, what: str, line: int) -> int:
    try:
        return int(value)
    except ValueError:
        raise QcInputError(f"line {line}: {what} {value[:40].decode(errors='replace')!r} is not an integer") from None


def variants_summary(lines: Iterable[bytes], *, bins: int = 30) -> dict[str, Any]:
    """The statistics of the VCF text in `lines`. Raises QcInputError naming the line where
    the input stops being VCF (or where a compressed stream ends early)."""
    counts = Counts()
    number = 0
    header_done = False
    try:
        for number, line in enumerate(lines, 1):
            if number == 1 and not line.startswith(b"##fileformat=VCF"):
                raise QcInputError("line 1: not VCF (no ##fileformat=VCF header line)")
            if line.startswith(b"#"):
                if line.startswith(b"#CHROM"):
                    counts.samples = max(0, len(line.rstrip(b"\r\n").split(b"\t")) - 9)
                    header_done = True
                continue
            if not header_done:
                raise QcInputError(f"line {number}: a record before the #CHROM header line")
            if line.strip():
                counts.add(line.rstrip(b"\r\n").split(b"\t", 9), number)
    except EOFError as error:
        raise QcInputError(f"the compressed stream ends early (truncated?) after line {number}") from error
    if number == 0:
        raise QcInputError("line 1: the file is empty, not VCF")
    if not header_done:
        raise QcInputError(f"line {number}: the file ends before its #CHROM header line")
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


def _sections(summary: dict[str, Any]) -> list[reports.Section]:
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
    if histogram_bins < 1:
        raise QcInputError("histogram_bins must be 1 or more")
    with open_input(file) as (stream, compression):
        first = stream.readline()
        if first.startswith(BCF_MAGIC):
            summary = variants_summary(bcf_lines(file.download()), bins=histogram_bins)
            compression = "bgzf" if compression == "gzip" else compression
        else:
            summary = variants_summary(itertools.chain([first], stream), bins=histogram_bins)
    name = str(file.remote_source or file.path).rsplit("/", 1)[-1]
    summary = {**summary, "file": name, "compression": compression}
    return write_page(summary, f"Variant QC: {name}", _sections(summary))


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
