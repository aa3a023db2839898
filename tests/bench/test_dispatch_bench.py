"""Keeps the dispatch benchmark runnable; its figures are read by people, never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "dispatch.py"


def test_dispatch_benchmark_prints_cold_and_warm_figures_and_baseline() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--iterations", "2"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "latchlike: local executor, cold" in result.stdout
    assert "latchlike: local executor, warm" in result.stdout
    assert "baseline flytekit-local" in result.stdout
