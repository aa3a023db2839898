"""Keeps the burst benchmark runnable; its figures are read by people, never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "burst.py"


def test_burst_benchmark_prints_both_rounds_and_whether_all_succeeded() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--count", "12", "--run-timeout", "120"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "10-in-flight" in result.stdout and "all-at-once" in result.stdout
    assert result.stdout.count("accepted    12/12") == 2
    assert result.stdout.count("succeeded 12/12 (all)") == 2
