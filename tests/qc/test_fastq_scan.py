"""The FASTQ scan on edge cases: block boundaries and two-thread splits, malformed and
truncated input (the error says where), empty files, duplicates and adapters."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest

from tests.qc.fastq_fixtures import FASTQ
from workflows.fastq_report import run_qc
from workflows.fastq_scan import FastqError, scan_bytes, scan_file
from workflows.fastq_summary import summarize

SANGER = (FASTQ / "sanger.fastq").read_bytes()


@pytest.mark.parametrize("block", [64, 300, 4096, 20_000])
def test_any_block_size_and_split_gives_the_same_tables(block: int) -> None:
    whole = scan_bytes(SANGER)
    pieces = scan_bytes(SANGER, block=block)  # records straddle blocks; 64 is shorter than one record
    for name, table in whole.items():
        assert np.array_equal(table, pieces[name]), name


def test_a_truncated_file_fails_with_the_record_and_byte_offset() -> None:
    data = (FASTQ / "truncated.fastq").read_bytes()
    starts = [i for i in range(len(data)) if data[i : i + 2] == b"@M" and (i == 0 or data[i - 1 : i] == b"\n")]
    with pytest.raises(FastqError) as failed:
        scan_file(FASTQ / "truncated.fastq")
    expected = f"truncated: record {len(starts)} (at byte offset {starts[-1]:,}) is incomplete"
    assert expected in str(failed.value)


def test_a_truncated_gzip_fails_with_a_message(tmp_path: Path) -> None:
    cut = tmp_path / "cut.fastq.gz"
    cut.write_bytes(gzip.compress(SANGER)[:5000])
    with pytest.raises(FastqError, match=re.escape("cut.fastq.gz: the gzip data is truncated")):
        scan_file(cut)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"@a\nACGT\n+\nIIII\n@b\nACGT\n-\nIIII\n", "record 2 (at byte offset 23): the separator line"),
        (b"@a\nACGT\n+\nIII\n", "record 1 (at byte offset 13): the quality line is not as long"),
        (b"@a\nACGT\n+\nIIII\nb\nACGT\n+\nIIII\n", "record 2 (at byte offset 15): the header line"),
        (b"@a\nAC GT\n+\nIIIII\n", "record 1 (at byte offset 5): the sequence holds a character"),
        (b"@a\nACGT\n+\nII\x01I\n", "record 1 (at byte offset 12): a quality character"),
    ],
)
def test_malformed_records_fail_with_where(data: bytes, message: str) -> None:
    with pytest.raises(FastqError, match=re.escape("malformed FASTQ at " + message)):
        scan_bytes(data)


def test_an_empty_file_has_no_reads_and_a_report(tmp_path: Path) -> None:
    summary_path, report_path = run_qc(str(FASTQ / "empty.fastq"), str(tmp_path))
    assert json.loads(summary_path.read_text()) | {} == {
        "schema": "latchlike.fastq_qc/1", "file": "empty.fastq", "reads": 0, "bases": 0, "empty": True}  # fmt: skip
    assert "The file holds no reads." in report_path.read_text()


def test_duplicates_are_estimated_within_the_sketch_error() -> None:
    rng = np.random.default_rng(3)
    distinct = ["".join(rng.choice(list("ACGT"), 60)) for _ in range(6000)]
    reads = distinct + distinct[:4000]  # 4,000 of 10,000 reads repeat an earlier one
    data = "".join(f"@r{i}\n{seq}\n+\n{'I' * 60}\n" for i, seq in enumerate(reads)).encode()
    duplication = summarize(scan_bytes(data), "d")["duplication"]
    assert duplication["duplicate_percent"] == pytest.approx(40, abs=2)


def test_adapters_are_found_where_they_start() -> None:
    insert = "ACGTTGCA" * 4  # 32 bases, then the adapter
    data = "".join(
        f"@r{i}\n{insert}{adapter}\n+\n{'I' * 56}\n"
        for i, adapter in enumerate(["AGATCGGAAGAGCACACGTCTGAA", "CTGTCTCTTATACACATCTCCGAG", "T" * 24, "A" * 24])
    ).encode()
    adapters = summarize(scan_bytes(data), "a")["adapters"]
    for name in ("illumina_universal", "nextera"):
        assert adapters[name]["reads_percent"] == 25.0
        assert adapters[name]["cumulative_percent"][31] == 0.0
        assert adapters[name]["cumulative_percent"][32] == 25.0


def test_a_pair_reports_both_mates(tmp_path: Path) -> None:
    summary_path, report_path = run_qc(str(FASTQ / "pair_R1.fastq"), str(tmp_path), str(FASTQ / "pair_R2.fastq"))
    summary = json.loads(summary_path.read_text())
    assert (summary["reads"], summary["mate"]["reads"], summary["pairs_match"]) == (80, 80, True)
    assert (summary["file"], summary["mate"]["file"]) == ("pair_R1.fastq", "pair_R2.fastq")
    page = report_path.read_text()
    assert "Mate: pair_R2.fastq" in page and page.count('class="plot"') == 14


@pytest.mark.parametrize("block", [300, 4096, 20_000, 1 << 20])
@pytest.mark.parametrize("record", [1, 37, 150, 299])
def test_an_error_names_the_same_record_whatever_the_blocks(block: int, record: int) -> None:
    lines = SANGER.split(b"\n")
    lines[4 * (record - 1) + 2] = b"-"  # its separator line
    broken = b"\n".join(lines)
    offset = len(b"\n".join(lines[: 4 * (record - 1) + 2])) + 1
    with pytest.raises(FastqError, match=re.escape(f"record {record} (at byte offset {offset:,}): the separator")):
        scan_bytes(broken, block=block)


def test_positions_past_the_last_row_fold_into_it() -> None:
    """A 1,500-base read: positions 1,000 and on count in row 1,000 (qualities and bases),
    against the same tables counted in Python."""
    rng = np.random.default_rng(9)
    seq = "".join(rng.choice(list("ACGTN"), 1500))
    qual = "".join(chr(c) for c in rng.integers(33, 127, 1500))
    tables = scan_bytes(f"@long\n{seq}\n+\n{qual}\n@short\nAC\n+\n!~\n".encode())
    expected_qual = np.zeros((1000, 94), dtype=np.int64)
    expected_base = np.zeros((1000, 5), dtype=np.int64)
    for i, (base, q) in enumerate([*zip(seq, qual, strict=True), *zip("AC", "!~", strict=True)]):
        row = min(i if i < 1500 else i - 1500, 999)
        expected_qual[row, ord(q) - 33] += 1
        expected_base[row, "ACGTN".index(base)] += 1
    assert np.array_equal(tables["pos_qual"], expected_qual)
    assert np.array_equal(tables["pos_base"], expected_base)
