"""The FASTQ QC's figures agree with seqtk fqchk and seqkit stats on the same files: read
and base counts exactly, composition, GC and quality figures within the tools' rounding.
The tools' outputs are recorded beside the fixtures; the slow test re-runs the tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import Any

import pytest

from tests.qc.fastq_fixtures import FASTQ, REFERENCE, seqkit, seqtk
from workflows.fastq_scan import scan_file
from workflows.fastq_summary import summarize

READABLE = ["sanger.fastq", "illumina13.fastq", "sanger.fastq.gz", "sanger.bgzf.fastq.gz",
            "pair_R1.fastq", "pair_R2.fastq", "crlf.fastq"]  # fmt: skip


def _summary(name: str) -> dict[str, Any]:
    return summarize(scan_file(FASTQ / name), name)


@pytest.mark.parametrize("name", READABLE)
def test_counts_gc_and_quality_agree_with_seqkit_stats(name: str) -> None:
    ours, theirs = _summary(name), seqkit(name)
    assert (ours["reads"], ours["bases"]) == (int(theirs["num_seqs"]), int(theirs["sum_len"]))
    assert (ours["length"]["min"], ours["length"]["max"]) == (int(theirs["min_len"]), int(theirs["max_len"]))
    assert ours["length"]["mean"] == pytest.approx(float(theirs["avg_len"]), abs=0.051)
    assert ours["gc_percent"] == pytest.approx(float(theirs["GC(%)"]), abs=0.0051)
    assert ours["q20_percent"] == pytest.approx(float(theirs["Q20(%)"]), abs=0.0051)
    assert ours["q30_percent"] == pytest.approx(float(theirs["Q30(%)"]), abs=0.0051)


@pytest.mark.parametrize("name", READABLE)
def test_composition_and_quality_distribution_agree_with_seqtk_fqchk(name: str) -> None:
    ours, theirs = _summary(name), seqtk(name)
    shift = ours["encoding"]["offset"] - 33  # seqtk reads every file as offset 33
    assert theirs.all["#bases"] == ours["bases"]
    for letter in "ACGTN":
        assert ours["base_percent"][letter] == pytest.approx(theirs.all[f"%{letter}"], abs=0.051)
    histogram = {q + shift: n for q, n in ours["quality_histogram"]}
    seen = {int(column[2:]): percent for column, percent in theirs.all.items() if column.startswith("%Q")}
    assert set(seen) == set(histogram)
    for q, percent in seen.items():
        assert 100 * histogram[q] / ours["bases"] == pytest.approx(percent, abs=0.0051)
    per_position = ours["per_position"]
    lengths = dict(map(tuple, ours["length"]["histogram"]))
    assert len(theirs.positions) == len(per_position["position"])
    for i, row in enumerate(theirs.positions):
        assert row["#bases"] == sum(n for length, n in lengths.items() if length > i)  # reads this long
        assert per_position["quality"]["mean"][i] + shift == pytest.approx(row["avgQ"], abs=0.051)
        for letter in "ACGTN":
            assert per_position["base_percent"][letter][i] == pytest.approx(row[f"%{letter}"], abs=0.051)


def test_the_quality_encoding_is_read_from_the_quality_range() -> None:
    assert _summary("sanger.fastq")["encoding"]["name"] == "Sanger / Illumina 1.8+"
    illumina = _summary("illumina13.fastq")["encoding"]
    assert (illumina["name"], illumina["offset"]) == ("Illumina 1.3+", 64)
    sanger_mean = _summary("sanger.fastq")["mean_quality"]
    assert _summary("illumina13.fastq")["mean_quality"] == pytest.approx(sanger_mean, abs=2)  # same model


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("seqtk") and shutil.which("seqkit")), reason="seqtk and seqkit not installed")
def test_the_recorded_reference_outputs_are_what_the_tools_print_now() -> None:
    checked = subprocess.run([sys.executable, str(FASTQ / "make.py"), "--check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (REFERENCE / "TOOLS").read_text().startswith("seqtk ")
