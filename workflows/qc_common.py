"""What the built-in QC tasks share: opening an input through its compression (by content,
never by name), writing the two outputs of the QC contract, and a plain offline HTML report.

TODO(integration): the report is a set of plain tables (no JavaScript at all); once
`workflows/reports.py` with the vendored plotly.js lands, draw the histograms with it.
"""

from __future__ import annotations

import bz2
import html
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

from flytekit import current_context
from flytekit.types.file import FlyteFile
from isal import igzip

Rows = Sequence[Sequence[Any]]


class QcOutputs(NamedTuple):
    """The QC contract's outputs: `summary` (JSON, its schema in docs/qc.md) and `report` (HTML)."""

    summary: FlyteFile
    report: FlyteFile


class Section(NamedTuple):
    title: str
    header: Sequence[str]
    rows: Rows
    bars: int | None = None
    """Index of a numeric column to draw as a bar beside each row (a histogram), or None."""


class QcInputError(ValueError):
    """The input is not what its kind promises; the message says where."""


def compression(head: bytes) -> str:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    return "none"


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


def write_outputs(summary: dict[str, Any], title: str, sections: Sequence[Section]) -> QcOutputs:
    """The summary as JSON and the report as one self-contained HTML file, in the task's
    working directory, handed to flytekit to upload."""
    out = Path(current_context().working_directory)
    summary_path, report_path = out / "summary.json", out / "report.html"
    summary_path.write_text(json.dumps(summary, indent=1, sort_keys=False))
    report_path.write_text(html_report(title, sections))
    return QcOutputs(summary=FlyteFile(os.fspath(summary_path)), report=FlyteFile(os.fspath(report_path)))


def html_report(title: str, sections: Sequence[Section]) -> str:
    """A page that needs nothing but itself: inline CSS, no script, every value escaped."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2><table><thead><tr>")
        parts += [f"<th>{html.escape(str(name))}</th>" for name in section.header]
        parts.append("</tr></thead><tbody>")
        top = max((float(row[section.bars]) for row in section.rows), default=0) if section.bars is not None else 0
        for row in section.rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(_text(value))}</td>" for value in row))
            if section.bars is not None:
                width = 100 * float(row[section.bars]) / top if top else 0
                parts.append(f"<td class='bar'><span style='width:{width:.1f}%'></span></td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1.5rem}"
    "th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;font-size:.9rem}"
    "th{background:#f4f4f4}td.bar{width:16rem;border:0}"
    "td.bar span{display:block;height:.8rem;background:#3b6ea5}"
)
