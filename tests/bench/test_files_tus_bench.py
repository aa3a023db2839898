"""Keeps the tus upload benchmark runnable; its figures are read by people, never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "files_tus.py"


def test_tus_benchmark_prints_both_rates_memory_and_the_checksum(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(BENCH), "--megabytes", "8"], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "cp (copyfile + sync)" in result.stdout and "tus, one PATCH" in result.stdout
    assert "latchlike cp (tuspy)" in result.stdout
    assert "server peak RSS" in result.stdout and "sha256 recorded        matches" in result.stdout
    assert "kill -9 halfway        nothing visible before the end" in result.stdout
    assert result.stdout.count("sha256 matches") == 1
