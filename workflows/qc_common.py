"""What the built-in QC tasks share: opening an input through its compression (by content,
never by name) and writing the two outputs of the QC contract (the report through
workflows/reports.py).
"""

from __future__ import annotations

import bz2
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

from flytekit import current_context
from flytekit.types.file import FlyteFile
from isal import igzip

from workflows import reports
from workflows.qc_compression import compression
from workflows.qc_errors import QcInputError


class QcOutputs(NamedTuple):
    """The QC contract's outputs: `summary` (JSON, its schema in docs/qc.md) and `report` (HTML)."""

    summary: FlyteFile
    report: FlyteFile


@contextmanager
def open_input(file: FlyteFile) -> Iterator[tuple[IO[bytes], str]]:
    """The input's decompressed bytes (gzip and BGZF through igzip, bzip2) and its compression.
    Streamed from the store: nothing is copied to local disk first."""
    with file.open("rb") as raw:
        head = raw.read(4)
        raw.seek(0)
        kind = compression(head)
        if kind == "zstd":
            raise QcInputError("zstd-compressed input is not supported: recompress it with gzip")
        if kind == "gzip":
            with igzip.IGzipFile(fileobj=raw, mode="rb") as inflated:
                yield inflated, kind
        elif kind == "bzip2":
            with bz2.BZ2File(raw, mode="rb") as inflated:
                yield inflated, kind
        else:
            yield raw, kind


def write_page(summary: dict[str, Any], title: str, sections: list[reports.Section]) -> QcOutputs:
    """The summary as JSON and the report as one self-contained HTML page with interactive
    plots (workflows/reports.py), in the task's working directory, handed to flytekit."""
    out = Path(current_context().working_directory)
    summary_path, report_path = out / "summary.json", out / "report.html"
    summary_path.write_text(json.dumps(summary, indent=1, sort_keys=False))
    report_path.write_text(reports.page(title, sections), encoding="utf-8")
    return QcOutputs(summary=FlyteFile(os.fspath(summary_path)), report=FlyteFile(os.fspath(report_path)))
