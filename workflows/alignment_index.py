"""Build the .bai/.crai of a coordinate-sorted BAM or CRAM beside the scan, in a child process.

`pysam.index` inflates the whole file again and holds the GIL: run in turn it would double
the time of a BAM QC, so it runs on the other core while the scan reads. Into a scratch
folder, since the input may be read-only (the store's own copy) and only the fact is kept.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

INDEX = """
import sys, pysam
try:
    pysam.index(sys.argv[1], sys.argv[2])
except pysam.SamtoolsError as error:
    sys.exit(str(error).strip())
"""


class Indexer:
    """Started before the scan; `result` is asked once the scan knows whether the records are sorted."""

    def __init__(self, path: str, file_format: str, sort_order: str) -> None:
        self._text = file_format not in ("BAM", "CRAM")
        self._why = f"{file_format} text is not indexed; convert it to BAM" if self._text else None
        self._child: subprocess.Popen[str] | None = None
        self._scratch = tempfile.TemporaryDirectory()
        if not self._text and sort_order != "coordinate":
            self._why = f"the header says SO:{sort_order}, not coordinate"
        elif not self._text:
            out = Path(self._scratch.name) / ("index.crai" if file_format == "CRAM" else "index.bai")
            self._child = subprocess.Popen(
                [sys.executable, "-c", INDEX, path, str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip

    def result(self, unsorted_at: str | None) -> tuple[bool, str | None]:
        """(indexed, why not), given the first record the scan found out of coordinate order.
        Reasons come in the order a reader would fix them: text format, record order, header."""
        if self._text:
            return False, self._why
        if unsorted_at is not None:
            return False, f"not sorted by coordinate: {unsorted_at} comes before the one above it"
        if self._child is None:
            return False, self._why
        _, error = self._child.communicate()
        if self._child.returncode:
            return False, f"indexing failed: {error.strip()}"
        return True, None

    def close(self) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.kill()
            self._child.wait()
        self._scratch.cleanup()

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
