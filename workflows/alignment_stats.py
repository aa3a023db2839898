"""The alignment QC's work, free of flytekit (bench/qc.py times it in a bare process): one
streamed pass over the file, and an index if the file allows one. BAM records are walked
by the compiled kernel (workflows/bam_scan.py), which builds the BAI as it goes; SAM text
and CRAM go through pysam.

Memory is flat: counters per flag class, a 256-slot MAPQ table, an insert-size table
bounded by `max_insert`, and two numbers per reference. The summary's schema is in
docs/qc.md (`latchlike.qc.alignments/1`). Counts follow `samtools flagstat` (QC-failed
reads included in every count, and also counted under `qc_failed`).
"""

from __future__ import annotations

import warnings
from contextlib import suppress
from pathlib import Path
from typing import Any

import numpy as np
import pysam

from workflows import bam_scan
from workflows.alignment_index import Indexer
from workflows.bam_scan import Tallies

SCHEMA = "latchlike.qc.alignments/1"
PAIRED, PROPER, UNMAPPED, MATE_UNMAPPED = 0x1, 0x2, 0x4, 0x8
READ1, READ2, SECONDARY, QC_FAIL, DUPLICATE, SUPPLEMENTARY = 0x40, 0x80, 0x100, 0x200, 0x400, 0x800
MATCHES = (0, 7, 8)  # CIGAR M, =, X: bases aligned to the reference
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
COUNTS = (
    "total", "primary", "secondary", "supplementary", "duplicates", "primary_duplicates", "mapped",
    "primary_mapped", "qc_failed", "paired", "read1", "read2", "properly_paired", "both_mapped",
    "singletons", "mate_on_other_chromosome", "mate_on_other_chromosome_mapq5",
)  # fmt: skip


class AlignmentInputError(ValueError):
    """The input is not a readable SAM/BAM/CRAM; the message says where it stops."""


def alignment_summary(path: str, *, max_insert: int = 1000, index_to: Path | None = None) -> dict[str, Any]:
    """Statistics of every record in the file at `path`, and whether it got an index; the
    index is written to `index_to` (its suffix set to .bai or .crai) if given."""
    try:
        # Truncation is found by reading (to say where), not by pysam refusing to open.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source = pysam.AlignmentFile(path, "r", check_sq=False, ignore_truncation=True)
    except (OSError, ValueError) as error:
        raise AlignmentInputError(f"not a readable SAM/BAM/CRAM file: {error}") from error
    try:
        file_format, references, lengths = source.format, list(source.references), list(source.lengths)
        sort_order = source.header.to_dict().get("HD", {}).get("SO", "unknown")
        with Indexer(path, file_format, sort_order, index_to) as indexer:
            if file_format == "BAM":
                source.close()  # only its header was read: the records go through the kernel
                tallies = _scan_bam(path, references, max_insert, indexer.wanted)
            else:
                tallies = _Scan(source, max_insert).run()
            if file_format == "BAM" and not _has_eof_marker(path):
                raise AlignmentInputError(
                    f"truncated: the BAM ends without its EOF block after record {tallies.counts[0]}{tallies.where}"
                )
            index, why = indexer.result(tallies)
    finally:
        with suppress(OSError):  # closing a stream that failed mid-block raises again
            source.close()
    return _summary(tallies, references, lengths, max_insert) | {
        "format": file_format, "sort_order": sort_order, "indexed": index is not None, "not_indexed_because": why,
    }  # fmt: skip


def _scan_bam(path: str, references: list[str], max_insert: int, index: bool) -> Tallies:
    with open(path, "rb", buffering=0) as raw:
        try:
            return bam_scan.scan(raw, references, max_insert, index=index)
        except bam_scan.BamDataError as error:
            raise AlignmentInputError(f"unreadable after record {error.records}{error.where}: {error}") from error


class _Scan:
    """The pysam pass over SAM text and CRAM, kept as an object so the loop's state has
    names, not a dozen locals. BAM goes through workflows/bam_scan.py instead."""

    def __init__(self, source: pysam.AlignmentFile, max_insert: int) -> None:
        self.source = source
        self.max_insert = max_insert
        self.counts = dict.fromkeys(COUNTS, 0)
        self.mapq = [0] * 256
        self.inserts = [0] * (max_insert + 1)
        self.inserts_over = 0
        names = source.references
        self.contig_reads, self.contig_bases = [0] * len(names), [0] * len(names)
        self.unsorted_at: str | None = None

    def run(self) -> Tallies:
        c, mapq, inserts, top = self.counts, self.mapq, self.inserts, self.max_insert
        reads, bases = self.contig_reads, self.contig_bases
        last = (-1, -1)  # (reference, position) of the previous mapped record, to check the sort
        unmapped_seen = False
        record = None
        try:
            for record in self.source.fetch(until_eof=True):
                flag = record.flag
                c["total"] += 1
                if flag & QC_FAIL:
                    c["qc_failed"] += 1
                if flag & DUPLICATE:
                    c["duplicates"] += 1
                if not flag & UNMAPPED:
                    c["mapped"] += 1
                if flag & SECONDARY:
                    c["secondary"] += 1
                elif flag & SUPPLEMENTARY:
                    c["supplementary"] += 1
                else:
                    self._primary(record, flag)
                    if not flag & UNMAPPED:
                        mapq[record.mapping_quality] += 1
                        if not flag & (DUPLICATE | QC_FAIL):
                            reads[record.reference_id] += 1
                            # cigartuples is ~3× cheaper than get_cigar_stats() here.
                            cigar = record.cigartuples or ()  # a mapped record may lack a CIGAR ("*")
                            bases[record.reference_id] += sum([n for op, n in cigar if op in MATCHES], 0)
                        if flag & (PAIRED | PROPER | READ1 | MATE_UNMAPPED) == PAIRED | PROPER | READ1:
                            size = abs(record.template_length)
                            if size <= top:
                                inserts[size] += 1
                            else:
                                self.inserts_over += 1
                if self.unsorted_at is None:
                    if record.reference_id < 0:
                        unmapped_seen = True
                    else:
                        here = (record.reference_id, record.reference_start)
                        if here < last or unmapped_seen:
                            self.unsorted_at = f"record {c['total']} ({record.query_name})"
                        last = here
        except (OSError, ValueError) as error:
            raise AlignmentInputError(f"unreadable after record {c['total']}{_where(record)}: {error}") from error
        return Tallies(
            np.array(list(c.values()), dtype=np.int64), np.array(mapq, dtype=np.int64),
            np.array(inserts, dtype=np.int64), self.inserts_over, np.array(reads, dtype=np.int64),
            np.array(bases, dtype=np.int64), self.unsorted_at, _where(record),
        )  # fmt: skip

    def _primary(self, record: pysam.AlignedSegment, flag: int) -> None:
        c = self.counts
        c["primary"] += 1
        if not flag & UNMAPPED:
            c["primary_mapped"] += 1
        if flag & DUPLICATE:
            c["primary_duplicates"] += 1
        if not flag & PAIRED:
            return
        c["paired"] += 1
        c["read1"] += bool(flag & READ1)
        c["read2"] += bool(flag & READ2)
        if flag & PROPER and not flag & UNMAPPED:
            c["properly_paired"] += 1
        if flag & MATE_UNMAPPED and not flag & UNMAPPED:
            c["singletons"] += 1
        if not flag & (UNMAPPED | MATE_UNMAPPED):
            c["both_mapped"] += 1
            if record.next_reference_id != record.reference_id:
                c["mate_on_other_chromosome"] += 1
                c["mate_on_other_chromosome_mapq5"] += record.mapping_quality >= 5


def _summary(t: Tallies, references: list[str], lengths: list[int], max_insert: int) -> dict[str, Any]:
    c = dict(zip(COUNTS, (int(n) for n in t.counts), strict=True))
    contigs = [
        {"name": name, "length": lengths[i], "reads": int(t.contig_reads[i]), "aligned_bases": int(t.contig_bases[i]),
         "mean_depth": int(t.contig_bases[i]) / lengths[i] if lengths[i] else None}
        for i, name in enumerate(references)
    ]  # fmt: skip
    sizes = [[int(size), int(t.inserts[size])] for size in np.flatnonzero(t.inserts)]
    pairs = sum(n for _, n in sizes)
    return {
        "schema": SCHEMA,
        **c,
        "mapped_percent": 100 * c["mapped"] / c["total"] if c["total"] else None,
        "primary_mapped_percent": 100 * c["primary_mapped"] / c["primary"] if c["primary"] else None,
        "properly_paired_percent": 100 * c["properly_paired"] / c["paired"] if c["paired"] else None,
        "mapq_histogram": [[int(q), int(t.mapq[q])] for q in np.flatnonzero(t.mapq)],
        "insert_sizes": {
            "histogram": sizes, "pairs": pairs, "over_max": t.inserts_over, "max": max_insert,
            "median": _median(sizes, pairs),
            "mean": sum(size * n for size, n in sizes) / pairs if pairs else None,
        },
        "contigs": contigs,
    }  # fmt: skip


def _has_eof_marker(path: str) -> bool:
    with open(path, "rb") as raw:
        raw.seek(0, 2)
        raw.seek(max(0, raw.tell() - len(BGZF_EOF)))
        return raw.read() == BGZF_EOF


def _median(sizes: list[list[int]], total: int) -> int | None:
    running = 0
    for size, n in sizes:
        running += n
        if 2 * running >= total:
            return size
    return None


def _where(record: pysam.AlignedSegment | None) -> str:
    if record is None:
        return " (none read)"
    place = f"{record.reference_name}:{record.reference_start + 1}" if record.reference_id >= 0 else "no reference"
    return f" (last read {record.query_name} at {place})"
