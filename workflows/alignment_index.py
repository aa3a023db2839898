"""Whether an alignment file gets an index, and the index itself.

A BAM's .bai comes out of the scan (workflows/bai.py): the same bytes `samtools index`
writes, without reading the file a second time. A CRAM's .crai is pysam's, built in a child
process while the scan reads (`pysam.index` holds the GIL and inflates the whole file). SAM
text gets none. Indexes are written to `out` (beside the report), or to a scratch folder when
only the fact is wanted: the input may be read-only (the store's own copy).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pysam

from workflows import bam_kernel
from workflows.bam_scan import Tallies

INDEX = """
import sys, pysam
try:
    pysam.index(sys.argv[1], sys.argv[2])
except pysam.SamtoolsError as error:
    sys.exit(str(error).strip())
"""
WHY_NOT = {
    bam_kernel.TOO_LONG: "a record ends past 2^29 bp, beyond what a BAI holds",
    bam_kernel.BAD_CIGAR: "a record's CIGAR and sequence lengths differ, which samtools refuses to read",
}


class Indexer:
    """Started before the scan; `result` is asked once the scan knows whether the records are sorted."""

    def __init__(self, path: str, file_format: str, sort_order: str, out: Path | None) -> None:
        self._path, self._format = path, file_format
        self._scratch = tempfile.TemporaryDirectory()
        suffix = ".crai" if file_format == "CRAM" else ".bai"
        self.out = (out or Path(self._scratch.name) / "index").with_suffix(suffix)
        self._why: str | None = None
        self._child: subprocess.Popen[str] | None = None
        if file_format not in ("BAM", "CRAM"):
            self._why = f"{file_format} text is not indexed; convert it to BAM"
        elif sort_order != "coordinate":
            self._why = f"the header says SO:{sort_order}, not coordinate"
        elif file_format == "CRAM":
            self._child = subprocess.Popen(
                [sys.executable, "-c", INDEX, path, str(self.out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip

    @property
    def wanted(self) -> bool:
        """Whether the scan should build a BAI: a BAM whose header says it is sorted."""
        return self._format == "BAM" and self._why is None

    def result(self, tallies: Tallies) -> tuple[Path | None, str | None]:
        """(the index, or why there is none). Reasons come in the order a reader would fix
        them: text format, record order, header, what the indexer met."""
        if self._format not in ("BAM", "CRAM"):
            return None, self._why
        if tallies.unsorted_at is not None:
            return None, f"not sorted by coordinate: {tallies.unsorted_at} comes before the one above it"
        if self._format == "BAM" and self._why is None:
            return self._bam(tallies)
        if self._child is None:
            return None, self._why
        _, error = self._child.communicate()
        if self._child.returncode:
            return None, f"indexing failed: {error.strip()}"
        return self.out, None

    def _bam(self, tallies: Tallies) -> tuple[Path | None, str | None]:
        if tallies.bai is not None:
            self.out.write_bytes(tallies.bai)
            return self.out, None
        if tallies.index_stop == bam_kernel.CG_CIGAR:  # rare (reads over 65,535 CIGAR operations): samtools'
            try:
                pysam.index(self._path, str(self.out))
            except pysam.SamtoolsError as error:
                return None, f"indexing failed: {str(error).strip()}"
            return self.out, None
        return None, WHY_NOT[tallies.index_stop]

    def close(self) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.kill()
            self._child.wait()
        self._scratch.cleanup()

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
