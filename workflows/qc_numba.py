"""Where the QC kernels' compiled code is cached: imported before numba, which reads
`NUMBA_CACHE_DIR` when it is imported. If unset: the user cache (`$XDG_CACHE_HOME` or
~/.cache)/latchlike/numba, never site-packages (which may be read-only, and is shared by
every user). The same place workflows/fastq_stats.py sets; a module of its own so a kernel
sets it without importing another kernel's module (and compiling its dispatchers).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault(
    "NUMBA_CACHE_DIR",
    str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "latchlike" / "numba"),
)
