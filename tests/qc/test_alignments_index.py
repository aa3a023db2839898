"""The .bai the BAM QC builds in its one pass (workflows/bai.py) is byte for byte the one
`samtools index` (pysam.index) writes for the same file, and answers region queries as
samtools' does: sorted files with unmapped reads, several references (one without reads),
reads spanning bins, placed unmapped mates, records straddling BGZF blocks and inflate
batches, a CIGAR kept in a CG tag. Files it cannot index get none, and the summary says why."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pysam
import pytest

from tests.qc import alignment_fixtures as fixtures
from tests.qc.test_alignments_kernel import bgzf
from workflows import bam_scan
from workflows.alignment_report import run_qc
from workflows.alignment_stats import alignment_summary

REFERENCES = [("chr1", 5_000_000), ("empty", 1000), ("chr3", 300_000), ("chrM", 16_569)]
CIGARS = ("50M", "10M50000N40M", "5M200D45M", "20S30M", "30M2I18M", "100M", "10M2000000N40M", "3=1X46=")
REGIONS = [("chr1", 0, 5_000_000), ("chr1", 1_000_000, 1_016_384), ("chr1", 2_500_000, 4_700_000),
           ("chr3", 150_000, 150_100), ("chrM", 0, 16_569), ("empty", 0, 1000)]  # fmt: skip


def spread(path: Path, n: int, seed: int, *, unplaced: int = 20) -> Path:
    """`n` sorted reads over REFERENCES ("empty" gets none): spliced reads spanning bins of
    every level, 10 % placed unmapped mates, then `unplaced` unmapped reads without a reference."""
    rng = random.Random(seed)
    header = pysam.AlignmentHeader.from_dict(
        {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": name, "LN": length} for name, length in REFERENCES]}
    )
    placed = sorted((ref, rng.randrange(REFERENCES[ref][1])) for ref in rng.choices((0, 0, 0, 2, 3), k=n))
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for i, (ref, pos) in enumerate(placed):
            read = pysam.AlignedSegment(header)
            read.query_name, read.reference_id, read.reference_start = f"q{i}", ref, pos
            if rng.random() < 0.1:
                read.flag, read.next_reference_id, read.next_reference_start = 0x1 | 0x4 | 0x80, ref, pos
                read.query_sequence = "A" * 50
            else:
                read.flag, read.mapping_quality = rng.choice((0, 16, 99, 147, 0x400, 0x100)), 30
                read.cigarstring = rng.choice(CIGARS)
                read.query_sequence = "C" * read.query_length
            out.write(read)
        for i in range(unplaced):
            read = pysam.AlignedSegment(header)
            read.query_name, read.flag, read.reference_id, read.reference_start = f"u{i}", 0x4, -1, -1
            read.query_sequence = "G" * 30
            out.write(read)
    return path


def samtools_index(bam: Path) -> bytes:
    out = bam.with_name(bam.name + ".samtools.bai")
    pysam.index(str(bam), str(out))
    return out.read_bytes()


def ours(bam: Path) -> tuple[dict, Path]:
    index = bam.with_name(bam.name + ".ours.bai")
    return alignment_summary(str(bam), index_to=index), index


def counts(bam: Path, index: Path) -> list[int]:
    with pysam.AlignmentFile(str(bam), index_filename=str(index)) as reader:
        return [reader.count(name, start, end) for name, start, end in REGIONS] + [reader.mapped, reader.unmapped]


EDGES = {
    "no records": [],
    "only unplaced reads": [(f"u{i}", 0x4, -1, -1, 0, "", -1, -1, 0) for i in range(5)],
    # an all-insertion read (spans 1 bp), a placed unmapped mate, a read ending on a window's edge
    "odd spans": [("a", 0, 0, 0, 60, "10I", -1, -1, 0), ("b", 0x1 | 0x4, 0, 5, 0, "", 0, 5, 0),
                  ("c", 0, 0, 16_383, 60, "2M", -1, -1, 0), ("d", 0, 1, 499, 60, "1M", -1, -1, 0)],
}  # fmt: skip


@pytest.mark.parametrize("name", ["hand-counted", "spread", "small blocks", "one reference", *EDGES])
def test_the_bai_is_byte_for_byte_samtools_and_answers_queries_alike(tmp_path: Path, name: str) -> None:
    if name == "hand-counted":  # unmapped reads at the end, mates on the other reference, 2 references
        bam = fixtures.write(tmp_path / "small.bam")
    elif name in EDGES:
        bam = fixtures.write(tmp_path / "edge.bam", EDGES[name])
    elif name == "spread":
        bam = spread(tmp_path / "spread.bam", 30_000, seed=4)
    elif name == "small blocks":  # records cut across 333-byte BGZF blocks, unlike htslib's writer
        bam = tmp_path / "blocks.bam"
        bam.write_bytes(bgzf(gzip.decompress(spread(tmp_path / "s.bam", 3000, seed=5).read_bytes()), 333))
    else:  # no unplaced reads: the last reference's chunk and metadata close at the end of the file
        bam = spread(tmp_path / "one.bam", 2000, seed=6, unplaced=0)
    summary, index = ours(bam)
    assert (summary["indexed"], summary["not_indexed_because"]) == (True, None)
    assert index.read_bytes() == samtools_index(bam)
    if name not in ("hand-counted", *EDGES):  # their references are not REFERENCES
        assert counts(bam, index) == counts(bam, bam.with_name(bam.name + ".samtools.bai"))


def test_the_bai_does_not_depend_on_how_the_stream_is_batched(tmp_path: Path) -> None:
    bam = tmp_path / "blocks.bam"
    bam.write_bytes(bgzf(gzip.decompress(spread(tmp_path / "s.bam", 2000, seed=7).read_bytes()), 500))
    names = [name for name, _ in REFERENCES]
    with bam.open("rb") as raw:
        tallies = bam_scan.scan(raw, names, 1000, batch=100, index=True)  # 100 bytes: less than a record
    assert tallies.bai == samtools_index(bam)


def test_a_cigar_kept_in_a_cg_tag_is_indexed_by_samtools(tmp_path: Path) -> None:
    header = pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6", "SO": "coordinate"},
                                              "SQ": [{"SN": "c", "LN": 10**6}]})  # fmt: skip
    bam = tmp_path / "long.bam"
    with pysam.AlignmentFile(str(bam), "wb", header=header) as out:
        read = pysam.AlignedSegment(header)
        read.query_name, read.flag, read.reference_id, read.reference_start = "long", 0, 0, 100
        read.cigarstring = "1M1I" * 35_000  # over 65,535 operations: htslib writes them to a CG tag
        read.query_sequence = "A" * 70_000
        out.write(read)
    summary, index = ours(bam)
    assert summary["indexed"] and index.read_bytes() == samtools_index(bam)


def test_an_unsorted_bam_gets_no_index_and_the_summary_says_why(tmp_path: Path) -> None:
    shuffled = [fixtures.RECORDS[2], *fixtures.RECORDS[:2], *fixtures.RECORDS[3:]]
    summary, index = ours(fixtures.write(tmp_path / "lying.bam", shuffled))
    assert not summary["indexed"] and not index.exists()
    assert summary["not_indexed_because"] == "not sorted by coordinate: record 2 (r1) comes before the one above it"


def test_a_read_beyond_what_a_bai_holds_gets_no_index_and_the_summary_says_why(tmp_path: Path) -> None:
    header = pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6", "SO": "coordinate"},
                                              "SQ": [{"SN": "big", "LN": 700_000_000}]})  # fmt: skip
    bam = tmp_path / "big.bam"
    with pysam.AlignmentFile(str(bam), "wb", header=header) as out:
        read = pysam.AlignedSegment(header)
        read.query_name, read.flag, read.reference_id, read.reference_start = "far", 0, 0, 600_000_000
        read.cigarstring, read.query_sequence = "10M", "A" * 10
        out.write(read)
    summary, index = ours(bam)
    assert not summary["indexed"] and not index.exists()
    assert summary["not_indexed_because"] == "a record ends past 2^29 bp, beyond what a BAI holds"
    with pytest.raises(pysam.SamtoolsError):  # samtools cannot either
        samtools_index(bam)


def test_run_qc_puts_the_index_beside_the_report_only_when_there_is_one(tmp_path: Path) -> None:
    bam = spread(tmp_path / "reads.bam", 500, seed=8)
    files = run_qc(str(bam), str(tmp_path / "sorted"), name="reads.bam")
    assert files.alignment_index == tmp_path / "sorted" / "reads.bam.bai"
    assert files.alignment_index.read_bytes() == samtools_index(bam)
    shuffled = [fixtures.RECORDS[2], *fixtures.RECORDS[:2], *fixtures.RECORDS[3:]]
    for path in (fixtures.write(tmp_path / "lying.bam", shuffled), fixtures.write(tmp_path / "a.sam")):
        files = run_qc(str(path), str(tmp_path / path.suffix[1:]))
        assert files.alignment_index is None and not list((tmp_path / path.suffix[1:]).glob("*.bai"))
