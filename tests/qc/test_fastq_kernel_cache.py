"""The FASTQ kernel's disk cache: a new process (a task) loads the compiled kernel, never
compiles it again, loads one kernel whatever buffers it scans, and loads it when the task
module is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Loads the kernels, scans a writable buffer and a read-only one (a gzip block and a memory
# map), and prints what the dispatchers did.
CHILD = """
import json
import numpy as np
from workflows import fastq_stats as k
k.load()
loaded = len(k._scan.signatures)
record = b"@r1\\nACGT\\n+\\nIIII\\n@r2\\nAC\\n+\\nII\\n"
for buf in (np.frombuffer(record, dtype=np.uint8), np.frombuffer(record, dtype=np.uint8).copy()):
    assert k.scan(buf, 0, len(buf), True, k.new_tables())[2] == 2
    assert k.last_record_start(buf, len(buf)) == 16
stats = [k._scan.stats, k._last_record_start.stats]
print(json.dumps({
    "loaded_at_load": loaded,
    "kernels": len(k._scan.signatures) + len(k._last_record_start.signatures),
    "hits": sum(sum(s.cache_hits.values()) for s in stats),
    "misses": sum(sum(s.cache_misses.values()) for s in stats),
}))
"""


# What the fork server does: import the task module, before any task runs.
TASK_MODULE = """
import workflows.qc_fastq
from workflows import fastq_stats as k
print(len(k._scan.signatures) + len(k._last_record_start.signatures))
"""


def _child(cache: Path, code: str = CHILD) -> str:
    env = os.environ | {"PYTHONPATH": str(REPO), "NUMBA_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_a_second_process_loads_one_cached_kernel_per_function(tmp_path: Path) -> None:
    first = json.loads(_child(tmp_path))  # compiles, and writes the cache
    assert first["misses"] == 2
    second = json.loads(_child(tmp_path))
    assert second == {"loaded_at_load": 1, "kernels": 2, "hits": 2, "misses": 0}
    assert _child(tmp_path, TASK_MODULE).split() == ["2"]  # importing the task loads them
