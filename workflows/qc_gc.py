"""Spare a QC process the garbage collector's walks over what the kernels loaded.

Importing numba and loading a cached kernel leave some 100,000 objects (numba's compiler)
that live until the process exits. Every full collection walks them, and so do the collections Python runs
at exit: 0.18 s of CPU after a 0.7 s variant QC, 0.15 s after a BAM's, and a BAM scan's
own collections as much again. `gc.freeze` moves what is alive into a generation no
collection visits. Done once a process, as soon as a kernel is loaded (a long-lived process
calling the QC again gains nothing more, and keeps any garbage of that moment).
"""

from __future__ import annotations

import functools
import gc


@functools.cache
def freeze_loaded() -> None:
    """Freeze the objects alive now (the first call only)."""
    gc.freeze()
