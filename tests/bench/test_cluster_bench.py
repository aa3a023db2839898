"""Keeps the cluster benchmark runnable; its figures are read by people, never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "cluster.py"


def test_cluster_benchmark_prints_submission_memory_lag_and_baseline() -> None:
    result = subprocess.run([sys.executable, str(BENCH), "--items", "50"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for figure in ("all pods created after launch", "baseline client-loop", "engine process peak RSS",
                   "status change → visible"):  # fmt: skip
        assert figure in result.stdout
