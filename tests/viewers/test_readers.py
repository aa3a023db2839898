"""What each viewer makes of real-format content: first records (and where a malformed
file goes wrong), paged and sorted tables, numbered lines, JSON pretty-printed."""

from __future__ import annotations

import io
import json

import pytest

from latchlike.viewers.choice import viewers_for
from latchlike.viewers.records import MAX_CELL, first_records
from latchlike.viewers.table import MAX_PAGE, TableCache, read_table
from latchlike.viewers.text import line_page, pretty_json

FASTQ = "@r1 lane1\nACGTN\n+\nIIII#\n@r2\nGG\n+r2\n!!\n"
VCF = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA12878\n"
    "chr1\t10177\trs367896724\tA\tAC\t100\tPASS\tAC=2130;AF=0.425\tGT\t1|0\n"
    "chr1\t10352\trs555500075\tT\tTA\t100\tPASS\tAC=2191\tGT\t0|1\n"
)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_fastq_records_show_name_length_bases_and_qualities() -> None:
    records = first_records("fastq", iter(_lines(FASTQ)), limit=50)
    assert records.columns == ["name", "length", "sequence", "quality"]
    assert records.rows == [["r1 lane1", "5", "ACGTN", "IIII#"], ["r2", "2", "GG", "!!"]]
    assert not records.more and records.problem is None


def test_only_the_first_records_are_read_and_the_rest_announced() -> None:
    endless = ("@r\nACGT\n+\nIIII\n" for _ in iter(int, 1))  # a file with no end
    records = first_records("fastq", (line for chunk in endless for line in _lines(chunk)), limit=3)
    assert len(records.rows) == 3 and records.more


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("@r1\nACGT\n+\nIIII\nr2\nAC\n+\nII\n", "record 2 (line 5) does not start with '@'"),
        ("@r1\nACGT\n+\nIII\n", "record 1 (line 1) has 4 bases but 3 quality values"),
        ("@r1\nACGT\n-\nIIII\n", "record 1 (line 3) has no '+' separator line"),
        ("@r1\nACGT\n+\nIIII\n@r2\nAC\n", "record 2 (line 5) is cut short"),
    ],
)
def test_a_malformed_fastq_says_where(text: str, where: str) -> None:
    records = first_records("fastq", iter(_lines(text)), limit=50)
    assert records.problem is not None and records.problem.startswith(where)


def test_fasta_records_count_every_line_of_a_sequence_but_show_its_start() -> None:
    long = "ACGT" * 1000
    text = f">chr1 assembled\n{long[:2000]}\n{long[2000:]}\n>chrM\nGATC\n"
    records = first_records("fasta", iter(_lines(text)), limit=50)
    assert records.rows[0][:2] == ["chr1 assembled", "4,000"] and records.rows[0][2].startswith("ACGT" * 10)
    assert len(records.rows[0][2]) < MAX_CELL + 40 and records.rows[1] == ["chrM", "4", "GATC"]
    assert first_records("fasta", iter(["ACGT\n"]), 5).problem == "line 1 holds sequence before any '>' header"


def test_vcf_takes_its_columns_from_the_chrom_line_and_keeps_the_header() -> None:
    records = first_records("vcf", iter(_lines(VCF)), limit=50)
    assert records.columns[:5] == ["CHROM", "POS", "ID", "REF", "ALT"] and records.columns[-1] == "NA12878"
    assert [row[2] for row in records.rows] == ["rs367896724", "rs555500075"]
    assert records.header == ["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=248956422>"]


def test_sam_bed_and_gff_rows_and_their_problems() -> None:
    sam = "@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:1000\nr1\t0\tchr1\t100\t60\t4M\t*\t0\t0\tACGT\tIIII\tNM:i:0\tMD:Z:4\n"
    records = first_records("sam", iter(_lines(sam)), 50)
    assert records.rows[0][3] == "100" and records.rows[0][-1] == "NM:i:0 MD:Z:4" and len(records.header) == 2
    bed = first_records("bed", iter(["track name=peaks\n", "chr1\t10\t20\tpeak1\n", "chr1\t30\n"]), 50)
    assert bed.rows == [["chr1", "10", "20", "peak1"]]
    assert bed.problem == "line 3 has 2 tab-separated fields; a BED record has 3"
    gff = first_records("gff", iter(["##gff-version 3\n", "chr1\t.\tgene\t1\t9\t.\t+\t.\tID=g1\n"]), 50)
    assert gff.rows[0][2] == "gene" and gff.header == ["##gff-version 3"]


def test_a_table_pages_and_sorts_numbers_as_numbers_with_blanks_last() -> None:
    csv_text = "sample,reads\n" + "".join(f"s{i},{(i * 7919) % 1000}\n" for i in range(2500)) + "empty,\n"
    cache = TableCache()
    loads = []

    def load():  # type: ignore[no-untyped-def]
        loads.append(1)
        return read_table(io.StringIO(csv_text), ",")

    page = cache.page(("k", "sha"), load, offset=100, limit=100, sort=None, descending=False)
    assert page.total == 2501 and page.rows[0] == ["s100", str((100 * 7919) % 1000)] and len(page.rows) == 100
    ascending = cache.page(("k", "sha"), load, offset=0, limit=5, sort=1, descending=False)
    values = [(i * 7919) % 1000 for i in range(2500)]
    assert [row[1] for row in ascending.rows] == [str(v) for v in sorted(values)[:5]]
    nines = cache.page(("k", "sha"), load, offset=sorted(values).index(9), limit=5, sort=1, descending=False)
    assert nines.rows[0][1] == "9" and "10" in [row[1] for row in nines.rows]  # 9 before 10: numbers, not text
    descending = cache.page(("k", "sha"), load, offset=2496, limit=5, sort=1, descending=True)
    assert descending.rows[-1] == ["empty", ""]  # blanks last either way
    assert cache.page(("k", "sha"), load, offset=0, limit=10**6, sort=None, descending=False).rows.__len__() == MAX_PAGE
    assert loads == [1]  # parsed once; another sha256 would be parsed again


def test_text_pages_number_their_lines_and_json_is_indented() -> None:
    page = line_page(iter(f"line {i}\n" for i in range(1, 1001)), first=501, limit=500)
    assert page.first == 501 and page.lines[0] == "line 501" and len(page.lines) == 500 and not page.more
    lines, why_not = pretty_json(io.BytesIO(json.dumps({"reads": 12, "samples": ["a", "b"]}).encode()))
    assert why_not is None and lines is not None and lines[1] == '  "reads": 12,'
    lines, why_not = pretty_json(io.BytesIO(b'{"cut": '))
    assert lines is None and why_not is not None and why_not.startswith("not valid JSON")


@pytest.mark.parametrize(
    ("kind", "compression", "viewers"),
    [
        ("fastq", "gzip", ("records", "text")),
        ("csv", "none", ("table", "text")),
        ("html", "none", ("html", "text")),
        ("html", "gzip", ("text",)),  # compressed HTML is read as text, never served raw
        ("fastq", "zstd", ()),
        ("bam", "bgzf", ("genome",)),
        ("vcf", "none", ("records", "genome", "text")),
        ("vcf", "gzip", ("records", "text")),  # the genome browser would need it indexed
        (None, None, ()),
    ],
)
def test_the_viewers_a_file_gets(kind: str | None, compression: str | None, viewers: tuple[str, ...]) -> None:
    assert viewers_for(kind, compression) == viewers
