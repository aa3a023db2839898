"""Keeps the form benchmark runnable; its figures are read by people, never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "form_render.py"


def test_form_benchmark_prints_both_figures_with_field_count_and_baselines() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--iterations", "3"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Launch form of a 40-parameter workflow" in result.stdout
    assert "Launch form of a 40-parameter workflow (3-level flow)" in result.stdout
    assert "latchlike: render form (3-level flow)" in result.stdout
    assert "leaf fields" in result.stdout
    for label in ("latchlike: render form", "latchlike: validate submission", "baseline plain-inputs",
                  "baseline flat-pydantic"):  # fmt: skip
        assert label in result.stdout
