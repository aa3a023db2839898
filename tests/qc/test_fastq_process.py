"""What a cold FASTQ QC process costs besides its scan: numba's import-time heap must not be
walked by the garbage collector again, at the interpreter's exit least of all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.qc.fastq_fixtures import FASTQ

REPO = Path(__file__).resolve().parents[2]

# The QC as the task and bench/qc.py run it, then the CPU seconds spent so far: the parent
# subtracts them from the child's total, which leaves what the exit cost.
QC = """
import resource, sys
from workflows.fastq_report import run_qc
run_qc(sys.argv[1], sys.argv[2])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(usage.ru_utime + usage.ru_stime, flush=True)
"""


def test_a_qc_process_exits_without_collecting_numbas_heap(tmp_path: Path) -> None:
    """The exit collected numba's ~100k import-time objects: 0.15–0.25 s of CPU, a tenth of
    a 2 s gzip run. Frozen after the import, they cost the exit nothing (~0.01 s)."""
    env = os.environ | {"PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", QC, str(FASTQ / "sanger.fastq"), str(tmp_path)]
    costs = []
    for _ in range(3):  # the best of three: other processes share these cores
        pid = os.posix_spawn(command[0], command, env, file_actions=_stdout_to(tmp_path))
        _, status, usage = os.wait4(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        before_exit = float((tmp_path / "cpu").read_text())
        costs.append(usage.ru_utime + usage.ru_stime - before_exit)
    assert min(costs) < 0.06, costs


def _stdout_to(folder: Path) -> list[tuple[int, int, str, int, int]]:
    return [(os.POSIX_SPAWN_OPEN, 1, str(folder / "cpu"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]


def test_the_report_module_imports_neither_numpy_nor_numba() -> None:
    """run_qc imports them with the collector off (0.05 s of a cold start): the module
    imported by the task and the bench must not have imported them already."""
    probe = "import sys; from workflows import fastq_report; print(sorted({'numpy', 'numba'} & set(sys.modules)))"
    child = subprocess.run(
        [sys.executable, "-c", probe], env=os.environ | {"PYTHONPATH": str(REPO)}, capture_output=True, text=True,
        check=True, cwd=REPO,
    )  # fmt: skip
    assert child.stdout.strip() == "[]"
