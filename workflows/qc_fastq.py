"""FASTQ quality control: the built-in QC workflow for FASTQ and FASTQ.gz files, single or
paired. The work is in workflows/fastq_report.py; outputs follow the QC workflow contract
(`summary` JSON, `report` self-contained HTML).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple, Optional

from flytekit import current_context, task, workflow
from flytekit.types.file import FlyteFile

from workflows.fastq_report import run_qc
from workflows.fastq_stats import load as load_kernels

load_kernels()  # once in the fork server, which imports this module before forking tasks


class QcOutputs(NamedTuple):
    summary: FlyteFile
    report: FlyteFile


@task
def fastq_stats(file: FlyteFile, mate: Optional[FlyteFile] = None) -> QcOutputs:  # noqa: UP045 (flytekit)
    """Scan the reads and write the JSON summary and the HTML report.

    Args:
        file: The FASTQ or FASTQ.gz file (read 1 of a pair).
        mate: Read 2 of a pair, if the reads are paired.
    """
    out = Path(current_context().working_directory) / "qc"
    reads = _local(file)
    summary, report = run_qc(reads, str(out), _local(mate) if mate is not None else None)
    return QcOutputs(summary=FlyteFile(str(summary)), report=FlyteFile(str(report)))


def _local(file: FlyteFile) -> str:
    """The downloaded file, under its original name (the summary and report show it)."""
    path = Path(file.download())
    name = os.path.basename(str(file.remote_source or file.path))
    if name and path.name != name:
        named = path.with_name(name)
        path.rename(named)
        return str(named)
    return str(path)


@workflow
def fastq_qc(file: FlyteFile, mate: Optional[FlyteFile] = None) -> QcOutputs:  # noqa: UP045 (flytekit)
    """Quality control of a FASTQ or FASTQ.gz file, single or paired.

    Counts reads and bases and draws the length distribution, per-position quality box
    plots, per-read mean quality, GC and N content, a duplication estimate, adapter
    content (Illumina universal, Nextera) and the quality encoding. A truncated or
    malformed file fails with the record number and byte offset.

    Args:
        file: The FASTQ or FASTQ.gz file (read 1 of a pair).
        mate: Read 2 of a pair, if the reads are paired.
    """
    return fastq_stats(file=file, mate=mate)
