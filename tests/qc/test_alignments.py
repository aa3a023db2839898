"""Alignment QC statistics on small SAM/BAM files built with pysam: counts checked by hand,
agreement with recorded `samtools flagstat` output, indexing only when sorted, a truncated
BAM failing with where, and the report written through the plotly shell."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.qc import alignment_fixtures as fixtures
from workflows.alignment_stats import AlignmentInputError, alignment_summary
from workflows.qc_alignments import run_qc

RECORDED = Path(__file__).parents[1] / "fixtures" / "alignments"
# samtools flagstat line label → our summary key (each line is "passed + failed label")
FLAGSTAT_KEYS = {
    "in total": "total", "primary": "primary", "secondary": "secondary", "supplementary": "supplementary",
    "duplicates": "duplicates", "primary duplicates": "primary_duplicates", "mapped": "mapped",
    "primary mapped": "primary_mapped", "paired in sequencing": "paired", "read1": "read1", "read2": "read2",
    "properly paired": "properly_paired", "with itself and mate mapped": "both_mapped", "singletons": "singletons",
    "with mate mapped to a different chr": "mate_on_other_chromosome",
    "with mate mapped to a different chr (mapQ>=5)": "mate_on_other_chromosome_mapq5",
}  # fmt: skip


def test_counts_of_a_sorted_bam_match_the_hand_count_and_it_gets_indexed(tmp_path: Path) -> None:
    bam = fixtures.write(tmp_path / "small.bam")
    s = alignment_summary(str(bam))
    counts = {key: s[key] for key in ("total", "primary", "secondary", "supplementary", "duplicates", "mapped",
                                      "primary_mapped", "qc_failed", "paired", "read1", "read2", "properly_paired",
                                      "both_mapped", "singletons", "mate_on_other_chromosome",
                                      "mate_on_other_chromosome_mapq5")}  # fmt: skip
    assert counts == {
        "total": 10, "primary": 8, "secondary": 1, "supplementary": 1, "duplicates": 1, "mapped": 8,
        "primary_mapped": 6, "qc_failed": 1, "paired": 6, "read1": 3, "read2": 3, "properly_paired": 2,
        "both_mapped": 4, "singletons": 1, "mate_on_other_chromosome": 2, "mate_on_other_chromosome_mapq5": 1,
    }  # fmt: skip
    assert s["mapped_percent"] == 80.0 and s["primary_mapped_percent"] == 75.0
    # Primary mapped reads: r1 ×2 at 60, r2 at 0, r3 at 3 and 20, r5 (read 1) at 30.
    assert s["mapq_histogram"] == [[0, 1], [3, 1], [20, 1], [30, 1], [60, 2]]
    # One properly paired pair (counted once, by read 1).
    assert s["insert_sizes"] | {"histogram": s["insert_sizes"]["histogram"]} == {
        "histogram": [[250, 1]], "pairs": 1, "over_max": 0, "max": 1000, "median": 250, "mean": 250.0,
    }  # fmt: skip
    # chr1: r1 50 + r2 30 (soft clip not aligned) + r1 50 + r3 50; the duplicate r5 is left out.
    assert s["contigs"] == [
        {"name": "chr1", "length": 1000, "reads": 4, "aligned_bases": 180, "mean_depth": 0.18},
        {"name": "chr2", "length": 500, "reads": 1, "aligned_bases": 50, "mean_depth": 0.1},
    ]
    assert (s["format"], s["sort_order"], s["indexed"], s["not_indexed_because"]) == ("BAM", "coordinate", True, None)
    assert not Path(str(bam) + ".bai").exists()  # built aside: the input may be read-only


def test_counts_agree_with_recorded_samtools_flagstat(tmp_path: Path) -> None:
    bam = shutil.copy(RECORDED / "small.bam", tmp_path / "small.bam")
    s = alignment_summary(str(bam))
    recorded = {}
    for line in (RECORDED / "small.bam.flagstat").read_text().splitlines():
        passed, failed, label = line.split(" ", 3)[0], line.split(" ", 3)[2], line.split(" ", 3)[3]
        label = re.sub(r" \((QC-passed|[\d.]+%|N/A).*\)$", "", label)  # drop the "(88.89% : 0.00%)" tail
        recorded[FLAGSTAT_KEYS[label]] = int(passed) + int(failed)
    assert len(recorded) == len(FLAGSTAT_KEYS)
    assert {key: s[key] for key in recorded} == recorded


def test_the_same_records_as_sam_give_the_same_counts_and_no_index(tmp_path: Path) -> None:
    bam, sam = fixtures.write(tmp_path / "a.bam"), fixtures.write(tmp_path / "a.sam")
    from_bam, from_sam = alignment_summary(str(bam)), alignment_summary(str(sam))
    assert from_sam["format"] == "SAM" and not from_sam["indexed"]
    assert "SAM text is not indexed" in from_sam["not_indexed_because"]
    ignored = ("format", "indexed", "not_indexed_because")
    assert {k: v for k, v in from_sam.items() if k not in ignored} == {
        k: v for k, v in from_bam.items() if k not in ignored
    }


def test_an_unsorted_bam_gets_its_stats_but_no_index_and_says_why(tmp_path: Path) -> None:
    shuffled = [fixtures.RECORDS[2], *fixtures.RECORDS[:2], *fixtures.RECORDS[3:]]
    lying = fixtures.write(tmp_path / "lying.bam", shuffled)  # header says coordinate
    s = alignment_summary(str(lying))
    assert s["total"] == 10 and s["properly_paired"] == 2
    assert not s["indexed"] and s["not_indexed_because"].startswith("not sorted by coordinate: record 2 (r1)")
    assert not Path(str(lying) + ".bai").exists()
    honest = alignment_summary(str(fixtures.write(tmp_path / "honest.bam", shuffled, sort_order="unsorted")))
    assert not honest["indexed"] and "not sorted by coordinate" in honest["not_indexed_because"]
    queryname = alignment_summary(str(fixtures.write(tmp_path / "q.bam", sort_order="queryname")))
    assert (
        not queryname["indexed"] and queryname["not_indexed_because"] == "the header says SO:queryname, not coordinate"
    )


def test_a_truncated_bam_fails_saying_after_which_record(tmp_path: Path) -> None:
    whole = fixtures.many(tmp_path / "whole.bam", 20_000)
    cut = tmp_path / "cut.bam"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AlignmentInputError, match=r"unreadable after record \d+ \(last read p\d+ at chr1:\d+\)"):
        alignment_summary(str(cut))


def test_a_bam_cut_at_a_block_boundary_fails_for_its_missing_eof_block(tmp_path: Path) -> None:
    cut = tmp_path / "cut.bam"
    cut.write_bytes((RECORDED / "small.bam").read_bytes()[:-28])  # the 28-byte BGZF EOF block
    with pytest.raises(AlignmentInputError, match=r"truncated: .* after record 10 \(last read r7 at no reference\)"):
        alignment_summary(str(cut))


def test_not_an_alignment_file_fails_saying_so(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bam"
    junk.write_bytes(b"BAM\x01 but nothing after")
    with pytest.raises(AlignmentInputError):
        alignment_summary(str(junk))


def test_insert_sizes_above_the_bound_are_counted_not_kept(tmp_path: Path) -> None:
    s = alignment_summary(str(fixtures.write(tmp_path / "a.bam")), max_insert=100)
    assert s["insert_sizes"]["histogram"] == [] and s["insert_sizes"]["over_max"] == 1


def test_run_qc_writes_the_summary_and_a_plotly_report(tmp_path: Path) -> None:
    summary_path, report_path, index = run_qc(str(fixtures.write(tmp_path / "small.bam")), str(tmp_path / "out"))
    summary = json.loads(summary_path.read_text())
    assert index == tmp_path / "out" / "small.bam.bai" and index.read_bytes()[:4] == b"BAI\x01"
    assert summary["file"] == "small.bam" and summary["schema"] == "latchlike.qc.alignments/1"
    report = report_path.read_text()
    assert "Alignment QC: small.bam" in report and "Mapping quality" in report and "Plotly" in report
    assert "http://" not in report.split("<body>")[1] and "https://" not in report.split("<body>")[1]


def test_a_mapped_record_without_a_cigar_counts_as_a_read_with_no_aligned_bases(tmp_path: Path) -> None:
    bare = fixtures.write(tmp_path / "bare.bam", [("r8", 0, 1, 200, 5, "", -1, -1, 0)])
    s = alignment_summary(str(bare))
    assert s["contigs"][1] == {"name": "chr2", "length": 500, "reads": 1, "aligned_bases": 0, "mean_depth": 0.0}
