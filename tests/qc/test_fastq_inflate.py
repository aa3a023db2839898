"""The gzip reader of the FASTQ QC: what it costs besides inflating."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from isal import igzip

REPO = Path(__file__).resolve().parents[2]

# Inflates argv[1] through one 4 MiB buffer and prints the minor page faults that took.
INFLATE = """
import resource, sys
from pathlib import Path
import numpy as np
from workflows.fastq_inflate import Inflated
buf = np.empty(4 << 20, dtype=np.uint8)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
with Inflated(Path(sys.argv[1])) as stream:
    while stream.readinto(buf.data):
        pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _reads(count: int) -> bytes:
    """150-base reads with qualities of 40 levels: they compress about 2.2 times, as the
    bench's reads do."""
    rng = np.random.default_rng(3)
    rows = np.empty((count, 307), dtype=np.uint8)
    rows[:, :3] = np.frombuffer(b"@r\n", dtype=np.uint8)
    rows[:, 3:153] = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, (count, 150))]
    rows[:, 153:156] = np.frombuffer(b"\n+\n", dtype=np.uint8)
    rows[:, 156:306] = rng.integers(33, 73, (count, 150))
    rows[:, 306] = ord("\n")
    return rows.tobytes()


def test_inflating_into_a_reused_buffer_takes_no_fresh_memory(tmp_path: Path) -> None:
    """30 MB of reads inflated in a fresh process, as the QC task does: each output chunk
    the reader hands on is small enough for the allocator to reuse its heap, so pages are
    not faulted in afresh (a fault per 4 KiB of output, 7,500 here, was a third of the gzip
    run's system time)."""
    path = tmp_path / "reads.fastq.gz"
    with igzip.open(path, "wb", compresslevel=3) as sink:
        sink.write(_reads(100_000))
    child = subprocess.run(
        [sys.executable, "-c", INFLATE, str(path)],
        env=os.environ | {"PYTHONPATH": str(REPO)},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert int(child.stdout) < 1000
