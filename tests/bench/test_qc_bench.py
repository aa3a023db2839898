"""Keeps the FASTQ and VCF QC benchmark runnable; its figures are read by people, never asserted here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "qc.py"
TOOLS = ("fastp", "seqtk fqchk", "seqkit stats")
# Small inputs of every kind, the BAM's too (its default, 2,000,000 records, took 45 s to write).
SMALL = (sys.executable, str(BENCH), "--reads", "2000", "--bam-records", "2000", "--variants", "2000", "--data")


def test_qc_benchmark_prints_every_tool_or_absent_for_plain_and_gzip(tmp_path: Path) -> None:
    result = subprocess.run([*SMALL, str(tmp_path)],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "sim-2000-17.fastq " in result.stdout and "sim-2000-17.fastq.gz " in result.stdout
    assert result.stdout.count("latchlike ") >= 2 and "peak RSS" in result.stdout
    assert result.stdout.count("latchlike forked / fastp") == 2  # as the fork server runs the task, too
    for tool in TOOLS:
        assert result.stdout.count(tool) >= 2
    assert "variants-2000-17.vcf " in result.stdout and "variants-2000-17.vcf.gz " in result.stdout
    assert result.stdout.count("bcftools stats") >= 2
    assert "sim-2000-17.bam " in result.stdout and "latchlike scan" in result.stdout
    assert "samtools flagstat" in result.stdout


def test_without_the_tools_each_prints_absent(tmp_path: Path) -> None:
    bare = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python only: no fastp, seqtk, seqkit
    result = subprocess.run([*SMALL, str(tmp_path)],
                            capture_output=True, text=True, timeout=300, env=bare)  # fmt: skip
    assert result.returncode == 0, result.stderr
    for tool in (*TOOLS, "bcftools stats"):
        assert len(re.findall(rf"{tool} +absent", result.stdout)) == 2, result.stdout
    assert len(re.findall(r"samtools flagstat +absent", result.stdout)) == 1, result.stdout
    assert result.stdout.count("latchlike ") >= 4
