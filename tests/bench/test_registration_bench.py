"""Keeps the benchmark runnable; its figures are read by people, never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "registration.py"


def test_registration_benchmark_prints_figures_and_baseline() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--iterations", "3"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "latchlike: new version" in result.stdout
    assert "baseline sqlite-floor" in result.stdout
    assert "ratio latchlike / sqlite-floor" in result.stdout
