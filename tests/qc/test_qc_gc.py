"""A QC run in a bare process (as bench/qc.py times it, as a task runs it) leaves what the
kernels loaded frozen, so the collections at exit do not walk numba's compiler."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
RUN = """
import gc, sys
from importlib import import_module
run_qc = import_module(sys.argv[1]).run_qc
run_qc(sys.argv[2], sys.argv[3])
frozen = gc.get_freeze_count()
run_qc(sys.argv[2], sys.argv[3])
print(frozen, gc.get_freeze_count())
"""


@pytest.mark.parametrize(
    ("module", "file"),
    [("workflows.variants_report", "variants/sample.vcf"), ("workflows.alignment_report", "alignments/small.bam")],
)
def test_a_qc_run_freezes_what_it_loaded_once(tmp_path: Path, module: str, file: str) -> None:
    env = os.environ | {"PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", RUN, module, str(FIXTURES / file), str(tmp_path)],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    first, second = map(int, out.split())
    assert first > 100_000  # numba's compiler, loaded with the kernel
    assert second == first  # the second run froze nothing more
