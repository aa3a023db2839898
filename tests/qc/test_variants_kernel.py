"""The compiled variant counting against its Python reference (workflows/variants_lines.py),
line for line, whatever the block size; edge cases counted by hand; `bcftools stats` run on
the same edge cases when it is installed; a truncated .vcf.gz says where it stops."""

from __future__ import annotations

import gzip
import io
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from workflows.qc_errors import QcInputError
from workflows.variants_lines import Tally, count_line
from workflows.variants_report import run_qc
from workflows.variants_scan import summary, variants_summary

HEADER = (
    b"##fileformat=VCFv4.2\n##contig=<ID=chr1>\n##contig=<ID=chr2>\n"
    b'##FILTER=<ID=q10,Description="q">\n##FILTER=<ID=s50,Description="s">\n'
    b'##INFO=<ID=DP,Number=1,Type=Integer,Description="d">\n##ALT=<ID=DEL,Description="d">\n'
    b'##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n'
    b'##FORMAT=<ID=DP,Number=1,Type=Integer,Description="d">\n'
    b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n"
)
# Multiallelic, `*`, symbolic <DEL>, missing QUAL, lower case, FORMAT/DP only, QUAL and DP
# past the dense histograms, an exponent QUAL, non-ASCII REF: what each line is, in order.
EDGES = [
    b"chr1\t10\t.\tA\tG,T\t30\tPASS\tDP=10\tGT:DP\t1/2:4\t0/1:6",  # snp ×2 (ts, tv), multi SNP
    b"chr1\t20\t.\tC\tT,*\t.\tq10\tDP=5\tGT:DP\t0/1:2\t1/2:3",  # snp (ts) + *: multi, not SNP only; no QUAL
    b"chr1\t30\t.\tA\t<DEL>\t12.5\tPASS\t.\tGT:DP\t0/1:7\t0/0:.",  # other; FORMAT/DP 7
    b"chr1\t40\t.\tG\t*\t1e2\tq10;s50\tDP=.\tGT\t0/0\t0/0",  # `*` alone: no type, not no-ALT either
    b"chr2\t5\t.\tac\tgT\t99999.5\tPASS\tDP=70000\tGT:DP\t0/1:1\t0/1:1",  # mnp; big QUAL and DP
    b"chr2\t6\t.\tATG\tA,ATGC,<DUP>\t7\tPASS\tNS=2\tGT:DP\t0/1:3\t1/2:4",  # indel + other, multi
    b"chr2\t7\t.\t\xc3\x84\tG\t8\tPASS\tDP=1\tGT:DP\t0/1:1\t0/1:1",  # non-ASCII REF: other
    b"chr2\t8\t.\tA\t<*>\t3\tPASS\tDP=2\tGT\t0/0\t0/0",  # gVCF reference block: no ALT
]


def edges(newline: bytes = b"\n", last_newline: bool = True) -> bytes:
    return HEADER + newline.join(EDGES) + (newline if last_newline else b"")


def reference(data: bytes, bins: int = 30) -> dict[str, Any]:
    """Every data line counted by the Python reference alone."""
    tally, lines = Tally(), data.split(b"\n")
    if not lines[-1]:
        lines.pop()  # what follows the last newline
    header = next(i for i, line in enumerate(lines) if line.startswith(b"#CHROM")) + 1
    tally.samples = len(lines[header - 1].rstrip(b"\r").split(b"\t")) - 9
    for number, line in enumerate(lines[header:], header + 1):
        count_line(tally, number, line)
    return summary(tally, bins)


def test_the_edge_cases_count_as_by_hand() -> None:
    s = variants_summary(io.BytesIO(edges()), bins=4)
    assert (s["records"], s["samples"]) == (8, 2)
    assert s["types"] == {"snp": 2, "mnp": 1, "indel": 1, "other": 3, "no_alt": 1}
    assert (s["multiallelic"], s["multiallelic_snp"], s["transitions"], s["transversions"]) == (3, 1, 2, 1)
    assert s["chromosomes"] == {"chr1": 4, "chr2": 4}
    assert s["filters"] == {"PASS": 6, "q10": 2, "s50": 1}
    assert s["qual"]["missing"] == 1
    assert s["qual"]["mean"] == (30 + 12.5 + 100 + 99999.5 + 7 + 8 + 3) / 7
    assert s["qual"]["histogram"]["edges"][0] == 3 and sum(s["qual"]["histogram"]["counts"]) == 7
    assert s["depth"]["source"] == {"info": 5, "format": 2}
    assert s["depth"]["missing"] == 1
    assert s["depth"]["mean"] == (10 + 5 + 7 + 70000 + 7 + 1 + 2) / 7


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
@pytest.mark.parametrize("last_newline", [True, False])
@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_blocks_newlines_and_the_last_line_change_nothing(newline: bytes, last_newline: bool, block: int) -> None:
    data = edges(newline, last_newline)
    found = variants_summary(io.BytesIO(data), block=block)
    assert found == reference(data)
    assert found == variants_summary(io.BytesIO(edges()))


def test_random_records_agree_with_the_reference() -> None:
    rng = random.Random(17)
    alts = ["A", "C", "G", "T", "AC", "GT", "<DEL>", "*", ".", "<NON_REF>", "G]2:5]", "C,T", "A,*", "ACGT"]
    quals = [".", "0", "45.5", "0.1", "12.", ".5", "1e3", "3.14159265358979"]
    infos = ["DP=20", "NS=3;DP=15", "NS=2", "DP=.", "XDP=4", "."]
    lines = []
    for i in range(3000):
        samples = "\t".join(rng.choice(["0/1:5", "0/0:.", "1/1:12", "./."]) for _ in range(2))
        lines.append(
            f"chr{i % 25}\t{i + 1}\t.\t{rng.choice('ACGT') * rng.randint(1, 3)}\t{rng.choice(alts)}\t"
            f"{rng.choice(quals)}\t{rng.choice(['PASS', 'q10', 'q10;s50', '.'])}\t{rng.choice(infos)}\t"
            f"GT:DP\t{samples}\n"
        )
    data = HEADER + "".join(lines).encode()
    assert variants_summary(io.BytesIO(data), block=4096) == reference(data)


def test_many_contigs_and_a_line_longer_than_the_block() -> None:
    lines = [b"ctg%d\t%d\t.\tA\tG\t5\tf%d\t.\n" % (i, i + 1, i % 700) for i in range(5000)]
    lines.append(b"chr1\t1\t.\tA\tA" + b"C" * 5000 + b"\t5\tPASS\tDP=3\n")
    data = HEADER + b"".join(lines)
    found = variants_summary(io.BytesIO(data), block=1024)
    assert found == reference(data)
    assert len(found["chromosomes"]) == 5001 and list(found["chromosomes"])[:2] == ["ctg0", "ctg1"]
    assert len(found["filters"]) == 701 and found["types"]["indel"] == 1


def test_a_bad_line_is_named_after_lines_the_kernel_counted() -> None:
    data = HEADER + b"chr1\t1\t.\tA\tG\t5\tPASS\tDP=1\n" * 1000 + b"chr1\t9\t.\tA\tG\t5\tPASS\tDP=x1\n"
    with pytest.raises(QcInputError, match="line 1011: INFO/DP 'x1' is not an integer"):
        variants_summary(io.BytesIO(data), block=256)


def test_a_truncated_vcf_gz_says_where_it_stops(tmp_path: Path) -> None:
    body = b"".join(b"chr1\t%d\t.\tA\tG\t%d\tPASS\tDP=%d\n" % (i, i % 90, i % 50) for i in range(1, 200_001))
    packed = gzip.compress(HEADER + body, compresslevel=1)
    path = tmp_path / "cut.vcf.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    with pytest.raises(QcInputError, match=r"ends early \(truncated\?\) after line ([\d,]+) \(") as caught:
        run_qc(str(path), str(tmp_path / "out"))
    line = int(str(caught.value).split("after line ")[1].split(" ")[0].replace(",", ""))
    assert 11 < line < 200_010  # past the header, before the end


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools is not installed (bench/setup installs it)")
def test_the_edge_cases_agree_with_bcftools_stats(tmp_path: Path) -> None:
    path = tmp_path / "edges.vcf"
    path.write_bytes(edges().replace(b"\xc3\x84", b"N"))  # bcftools refuses non-ASCII REF
    out = subprocess.run(["bcftools", "stats", str(path)], capture_output=True, text=True, check=True).stdout
    sn = {f[2]: int(f[3]) for f in (line.split("\t") for line in out.splitlines()) if f[0] == "SN"}
    tstv = next(line.split("\t") for line in out.splitlines() if line.startswith("TSTV"))
    ours = variants_summary(path.open("rb"))
    types = ours["types"]
    assert (sn["number of records:"], sn["number of no-ALTs:"]) == (ours["records"], types["no_alt"])
    assert (sn["number of SNPs:"], sn["number of MNPs:"]) == (types["snp"], types["mnp"])
    assert (sn["number of indels:"], sn["number of others:"]) == (types["indel"], types["other"])
    assert (sn["number of multiallelic sites:"], sn["number of multiallelic SNP sites:"]) == (
        ours["multiallelic"], ours["multiallelic_snp"])  # fmt: skip
    assert (int(tstv[2]), int(tstv[3])) == (ours["transitions"], ours["transversions"])


def test_a_block_counted_in_two_halves_on_two_threads_sums_as_one_pass() -> None:
    """The second half of a block is counted on another thread: its QUAL values still add
    after the first half's one by one (0.1 + 0.7 + … rounds differently in any other order),
    contigs first seen there keep their place, and a bad line there is named by its number."""
    rng = random.Random(5)
    quals = [rng.choice([b"0.1", b"0.7", b"33.3"]) for _ in range(40_000)]
    lines = [
        b"chr%d\t%d\t.\tA\tG\t%s\tPASS\tDP=%d\n" % (1 + i // 10_000, i + 1, q, i % 60) for i, q in enumerate(quals)
    ]
    data = HEADER + b"".join(lines)
    found = variants_summary(io.BytesIO(data))  # one block: split once, at a line start in the middle
    assert found == reference(data)
    assert list(found["chromosomes"]) == ["chr1", "chr2", "chr3", "chr4"]
    assert found["qual"]["mean"] == sum(float(line.split(b"\t")[5]) for line in lines) / len(lines)
    bad = HEADER + b"".join(lines[:30_000]) + b"chr4\t9\t.\tA\tG\t5\tPASS\tDP=x1\n" + b"".join(lines[30_000:])
    with pytest.raises(QcInputError, match="line 30011: INFO/DP 'x1' is not an integer"):
        variants_summary(io.BytesIO(bad))
