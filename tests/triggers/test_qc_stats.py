"""The built-in FASTA and table QC statistics against hand-computed values, through every
compression they read, and the messages that say where an input stops making sense."""

from __future__ import annotations

import bz2
import gzip
import io
from collections import Counter
from pathlib import Path

import pytest
from flytekit.types.file import FlyteFile

from workflows import reports
from workflows.qc_common import QcInputError, open_input
from workflows.qc_fasta import fasta_summary, histogram, n50
from workflows.qc_table import DISTINCT_KEPT, table_summary

ASSEMBLY = b">c1 one\nACGTACGTAC\nGTNN\n>c2\nGGGGCCCC\n>c3\nAT\n>c4\nacgtn\n"
"""Lengths 14, 8, 2, 5 (total 29). Longest first: 14 < 14.5, 14 + 8 = 22 ≥ 14.5 → N50 8, L50 2.
G+C: c1 6 (A C G T A C G T A C G T → 3 C + 3 G), c2 8, c3 0, c4 2 → 16; A+T: 6 + 0 + 2 + 2 = 10; N: 2 + 1."""


def test_fasta_statistics_match_hand_counts() -> None:
    summary = fasta_summary(io.BytesIO(ASSEMBLY), bins=3)
    assert (summary["sequences"], summary["total_length"], summary["min_length"], summary["max_length"]) == (
        4, 29, 2, 14)  # fmt: skip
    assert (summary["n50"], summary["l50"], summary["mean_length"]) == (8, 2, 29 / 4)
    assert (summary["gc_fraction"], summary["n_count"], summary["n_fraction"]) == (16 / 26, 3, 3 / 29)
    # Width ceil(13 / 3) = 5: [2, 7) holds 2 and 5, [7, 12) holds 8, [12, 17) holds 14.
    assert summary["length_histogram"] == {"edges": [2, 7, 12, 17], "counts": [2, 1, 1]}
    assert [s["name"] for s in summary["longest"]] == ["c1 one", "c2", "c4", "c3"]


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        ({}, (0, 0)),
        ({100: 1}, (100, 1)),
        ({5: 4}, (5, 2)),  # half of 20 is reached by the second of four equal sequences
        ({10: 1, 8: 1, 6: 1, 4: 1, 2: 1}, (8, 2)),
        ({9: 1, 1: 9}, (9, 1)),  # 9 of 18 is exactly half
    ],
)
def test_n50_and_l50(lengths: dict[int, int], expected: tuple[int, int]) -> None:
    assert n50(Counter(lengths)) == expected


def test_the_histogram_never_has_more_bins_than_lengths_span() -> None:
    assert histogram(Counter({3: 2, 4: 1}), 20) == {"edges": [3, 4, 5], "counts": [2, 1]}
    assert histogram(Counter(), 5) == {"edges": [], "counts": []}


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"ACGT\n>a\nAC\n", "line 1"),
        (b">a\nACGT\n>b\nAC\nG1T\n", "sequence 2 ('b'): '1' at position 4"),
    ],
)
def test_malformed_fasta_says_where(data: bytes, where: str) -> None:
    with pytest.raises(QcInputError, match=where.replace("(", r"\(").replace(")", r"\)")):
        fasta_summary(io.BytesIO(data))


@pytest.mark.parametrize(
    ("pack", "compression"),
    [(lambda d: d, "none"), (gzip.compress, "gzip"), (bz2.compress, "bzip2")],
)
def test_compressed_input_is_read_by_content(tmp_path: Path, pack: object, compression: str) -> None:
    path = tmp_path / "reads.txt"  # the name says nothing
    path.write_bytes(pack(ASSEMBLY))  # type: ignore[operator]
    with open_input(FlyteFile(str(path))) as (stream, found):
        assert (found, fasta_summary(stream)["total_length"]) == (compression, 29)


def test_a_truncated_gzip_fasta_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.fa.gz"
    path.write_bytes(gzip.compress(ASSEMBLY * 200)[:-40])
    with pytest.raises(QcInputError, match="truncated"), open_input(FlyteFile(str(path))) as (stream, _):
        fasta_summary(stream)


def test_table_statistics_match_hand_counts() -> None:
    table = b"id\tscore\tok\tname\n1\t2.5\ttrue\tx\n2\t3.5\tno\ty\n3\tNA\tyes\tx\n4\t6\n\n"
    summary = table_summary(io.BytesIO(table))
    assert (summary["delimiter"], summary["rows"], summary["columns"]) == ("\t", 4, 4)
    assert (summary["ragged_rows"], summary["first_ragged_lines"]) == (1, [5])
    ident, score, ok, name = summary["column_summaries"]
    # id 1..4: mean 2.5, sample variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3.
    assert (ident["type"], ident["min"], ident["max"], ident["mean"]) == ("integer", 1, 4, 2.5)
    assert ident["std"] == pytest.approx((5 / 3) ** 0.5)
    # score 2.5, 3.5, 6 (NA missing): mean 4, variance (2.25 + 0.25 + 4) / 2 = 3.25.
    assert (score["type"], score["missing"], score["mean"]) == ("float", 1, 4.0)
    assert score["std"] == pytest.approx(3.25**0.5)
    assert (ok["type"], ok["missing"], name["type"], name["distinct"]) == ("boolean", 1, "string", 2)
    assert name["top"][0] == {"value": "x", "count": 2}
    assert summary["first_rows"][3] == ["4", "6"]


def test_distinct_values_are_capped() -> None:
    table = b"v\n" + b"".join(f"s{i}\n".encode() for i in range(DISTINCT_KEPT + 50))
    [column] = table_summary(io.BytesIO(table))["column_summaries"]
    assert (column["distinct"], column["distinct_capped"], column["present"]) == (
        DISTINCT_KEPT,
        True,
        DISTINCT_KEPT + 50,
    )


def test_a_table_that_is_not_utf8_says_which_line() -> None:
    with pytest.raises(QcInputError, match="line 3"):
        table_summary(io.BytesIO(b"a,b\n1,2\n\xff,3\n"))


def test_the_report_escapes_what_the_file_holds() -> None:
    hostile = "</script><script>alert(1)</script>"
    page = reports.page(
        "QC", [reports.Section("Rows", [("<b>", hostile)], [reports.bar(hostile, [hostile], [1], "", "")])]
    )
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "\\u003c/script>" in page
