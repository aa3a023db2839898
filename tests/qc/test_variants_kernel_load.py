"""The variant QC's kernel is loaded when its task module is imported, as the FASTQ one is:
the fork server imports task modules before forking, so each VCF's task starts with the
kernel in memory instead of loading numba's cache again (≈0.3 s a task)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TASK_MODULE = """
import workflows.qc_variants
from workflows import variants_kernel as k
print(len(k.scan.signatures))
"""


def test_importing_the_task_module_loads_the_kernel() -> None:
    env = os.environ | {"PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", TASK_MODULE], env=env, capture_output=True, text=True, check=True)
    assert int(result.stdout) >= 1
