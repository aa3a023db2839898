"""Alignment QC: the built-in QC workflow for BAM, SAM and CRAM files. The work (statistics
in workflows/alignment_stats.py, outputs in workflows/alignment_report.py) imports no
flytekit, so bench/qc.py can time it alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple, Optional

from flytekit import current_context, task, workflow
from flytekit.types.file import FlyteFile

from workflows.alignment_report import run_qc


class QcOutputs(NamedTuple):
    """The QC contract's `summary` and `report`, and the file's .bai/.crai (none when unsorted or SAM)."""

    summary: FlyteFile
    report: FlyteFile
    alignment_index: Optional[FlyteFile]  # noqa: UP045 (flytekit)


@task
def alignments_stats(file: FlyteFile, max_insert: int = 1000) -> QcOutputs:
    """Scan the alignments, index them if sorted, and write the JSON summary and the HTML report.

    Args:
        file: A BAM, SAM or CRAM file.
        max_insert: The largest insert size counted in the distribution; larger ones are only counted.
    """
    out = Path(current_context().working_directory) / "qc"
    name = os.path.basename(str(file.remote_source or file.path))
    files = run_qc(file.download(), str(out), max_insert=max_insert, name=name)
    index = FlyteFile(str(files.alignment_index)) if files.alignment_index else None
    return QcOutputs(summary=FlyteFile(str(files.summary)), report=FlyteFile(str(files.report)), alignment_index=index)


@workflow
def alignments_qc(file: FlyteFile, max_insert: int = 1000) -> QcOutputs:
    """Alignment quality control for BAM, SAM and CRAM files.

    Counts records the way `samtools flagstat` does (primary, secondary, supplementary,
    duplicates, mapped, paired, properly paired, singletons, mates on other chromosomes),
    and draws the mapping-quality histogram, the insert-size distribution and the reads
    and mean depth per reference. A coordinate-sorted BAM or CRAM is indexed: its .bai or
    .crai is an output, beside the report.

    __metadata__:
        display_name: Alignment QC
        license:
            id: Apache-2.0
        tags: [qc, bam, sam, cram]

    Args:
        file: A BAM, SAM or CRAM file.
          __metadata__:
            display_name: Alignment file
        max_insert: The largest insert size drawn in the distribution.
          __metadata__:
            display_name: Largest insert size
    """
    return alignments_stats(file=file, max_insert=max_insert)
