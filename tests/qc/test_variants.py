"""The variant QC's statistics against hand counts and `bcftools stats` (its output recorded
in tests/fixtures/variants/reference/, see TOOLS there), through every container it reads
(plain, gzip, BGZF, BCF), and the messages that say which line stops being VCF."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flytekit.types.file import FlyteFile

from workflows.qc_common import QcInputError
from workflows.qc_variants import allele_type, variants_qc, variants_summary

FIXTURES = Path(__file__).parents[1] / "fixtures" / "variants"
VCF = FIXTURES / "sample.vcf"


def bcftools_sn() -> dict[str, float]:
    """The recorded `bcftools stats` SN section (by its label) and Ts/Tv."""
    found: dict[str, float] = {}
    for line in (FIXTURES / "reference" / "sample.vcf.bcftools-stats").read_text().splitlines():
        fields = line.split("\t")
        if fields[0] == "SN":
            found[fields[2].removeprefix("number of ").rstrip(":")] = int(fields[3])
        elif fields[0] == "TSTV":
            found["ts"], found["tv"], found["ts/tv"] = int(fields[2]), int(fields[3]), float(fields[4])
    return found


def test_the_fixture_matches_hand_counts() -> None:
    # See sample.vcf: SNP records chr1:100 (A>G), 200 (C>A), 300 (T>C,G), chr2:300 (C>T and an
    # insertion), chrX:100 (G>A), 300 (C>G); MNP chr2:100; indels chr1:400, 500, chr2:300; other
    # chr2:200 (ATG>CTGA) and chrX:200 (<DEL>); no ALT chr2:400.
    s = variants_summary(VCF.open("rb"), bins=5)
    assert (s["records"], s["samples"]) == (12, 3)
    assert s["types"] == {"snp": 6, "mnp": 1, "indel": 3, "other": 2, "no_alt": 1}
    assert (s["multiallelic"], s["multiallelic_snp"]) == (2, 1)
    assert (s["transitions"], s["transversions"], s["ts_tv"]) == (4, 3, 4 / 3)
    assert s["chromosomes"] == {"chr1": 5, "chr2": 4, "chrX": 3}
    assert s["filters"] == {"PASS": 9, "q10": 2, "s50": 1, ".": 1}
    # QUAL 50 30 60 45.5 20 70 10 35 . 99 12 40; width ceil(90 / 5) = 18 from 10.
    assert s["qual"] == {"missing": 1, "mean": 471.5 / 11,
                         "histogram": {"edges": [10, 28, 46, 64, 82, 100], "counts": [3, 4, 2, 1, 1]}}  # fmt: skip
    # INFO/DP on 10 records; chr1:500 has none: FORMAT/DP 3 + . + 4 = 7; chrX:300 has no value at all.
    depth = s["depth"]
    assert (depth["source"], depth["missing"], depth["mean"]) == ({"info": 10, "format": 1}, 1, 216 / 11)
    assert depth["histogram"]["counts"] == [5, 2, 2, 1, 1]


def test_the_sn_section_agrees_with_bcftools_stats() -> None:
    ours, theirs = variants_summary(VCF.open("rb")), bcftools_sn()
    types = ours["types"]
    assert (ours["samples"], ours["records"], types["no_alt"]) == (
        theirs["samples"], theirs["records"], theirs["no-ALTs"])  # fmt: skip
    assert (types["snp"], types["mnp"], types["indel"], types["other"]) == (
        theirs["SNPs"], theirs["MNPs"], theirs["indels"], theirs["others"])  # fmt: skip
    assert (ours["multiallelic"], ours["multiallelic_snp"]) == (
        theirs["multiallelic sites"], theirs["multiallelic SNP sites"])  # fmt: skip
    assert (ours["transitions"], ours["transversions"]) == (theirs["ts"], theirs["tv"])
    assert round(ours["ts_tv"], 2) == theirs["ts/tv"]


@pytest.mark.parametrize(
    ("name", "compression"),
    [("sample.vcf", "none"), ("sample.plain-gzip.vcf.gz", "gzip"), ("sample.vcf.gz", "gzip"), ("sample.bcf", "bgzf")],
)
def test_every_container_gives_the_same_summary(name: str, compression: str) -> None:
    outputs = variants_qc(file=FlyteFile(str(FIXTURES / name)))
    summary: dict[str, Any] = json.loads(Path(outputs.summary.path).read_text())
    assert (summary["file"], summary["compression"]) == (name, compression)
    assert {k: v for k, v in summary.items() if k not in ("file", "compression")} == variants_summary(VCF.open("rb"))
    report = Path(outputs.report.path).read_text()
    assert "Plotly.newPlot" in report and "Records per chromosome" in report


@pytest.mark.parametrize(
    ("ref", "alt", "kind"),
    [("A", "G", "snp"), ("A", "a", "none"), ("A", "*", "none"), ("A", "<NON_REF>", "none"), ("AC", "AT", "snp"),
     ("ACG", "AG", "indel"), ("A", "AGG", "indel"), ("AC", "GT", "mnp"), ("ATG", "CTGA", "other"),
     ("A", "<DUP>", "other"), ("G", "G]17:198982]", "other"), ("CAT", "CGTT", "other")],
)  # fmt: skip
def test_allele_types_follow_htslib(ref: str, alt: str, kind: str) -> None:
    assert allele_type(ref, alt) == kind


HEADER = b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"chr1\t1\t.\tA\tG\t.\t.\t.\n", "line 1: not VCF"),
        (b"", "the file is empty"),
        (b"##fileformat=VCFv4.2\nchr1\t1\t.\tA\tG\t.\t.\t.\n", "line 2: a record before the #CHROM"),
        (HEADER + b"chr1\t1\t.\tA\tG\t.\t.\t.\nchr1\t2\t.\tA\tG\n", "line 4: 5 tab-separated fields"),
        (HEADER + b"chr1\tone\t.\tA\tG\t.\t.\t.\n", "line 3: POS 'one' is not a position"),
        (HEADER + b"chr1\t1\t.\tA\tG\thigh\t.\t.\n", "line 3: QUAL 'high' is not a finite number"),
        (HEADER + b"chr1\t1\t.\tA\tG\tinf\t.\t.\n", "line 3: QUAL 'inf' is not a finite number"),
        (HEADER + b"chr1\t1\t.\tA\tG\tnan\t.\t.\n", "line 3: QUAL 'nan' is not a finite number"),
        (HEADER + b"chr1\t1\t.\tA\tG,\t1\t.\t.\n", "line 3: an empty REF or ALT"),
        (HEADER + b"\nchr1\t1\t.\tA\tG\t1\t.\tDP=x\n", "line 4: INFO/DP 'x' is not an integer"),
        (b"##fileformat=VCFv4.2\n##INFO=<ID=DP>\n", "line 2: the file ends before its #CHROM"),
    ],
)
def test_malformed_vcf_says_which_line(data: bytes, where: str) -> None:
    with pytest.raises(QcInputError, match=where):
        variants_summary(io.BytesIO(data))


def test_a_truncated_gzip_vcf_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.vcf.gz"
    path.write_bytes(
        gzip.compress(VCF.read_bytes() + VCF.read_bytes().split(b"#CHROM")[1].split(b"\n", 1)[1] * 300)[:-30]
    )
    with pytest.raises(Exception, match="truncated"):
        variants_qc(file=FlyteFile(str(path)))


def test_long_alleles_are_classified_without_the_cache() -> None:
    long_ref = b"A" + b"CGT" * 20  # 61 bases: past the cached lengths
    lines = (
        HEADER
        + b"chr1\t1\t.\t"
        + long_ref
        + b"\tA\t5\t.\t.\nchr1\t9\t.\t"
        + long_ref
        + b"\tG"
        + long_ref[1:]
        + b"\t5\t.\t.\n"
    )
    summary = variants_summary(io.BytesIO(lines))
    assert (summary["types"]["indel"], summary["types"]["snp"], summary["transitions"]) == (1, 1, 1)
