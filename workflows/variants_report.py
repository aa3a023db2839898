"""The variant QC's work, free of flytekit (bench/qc.py times `run_qc` in a bare process):
open a VCF or BCF by content, summarize it (workflows/variants_scan.py) and lay out its report.

BCF is decoded by pysam (htslib) into VCF text and counted the same way: slower than VCF,
but its records need no second implementation.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from workflows import reports
from workflows.qc_errors import QcInputError
from workflows.variants_scan import inflated, variants_summary

BCF_MAGIC = b"BCF\x02"


def summarize(raw: BinaryIO, local_path: Callable[[], str], name: str, *, bins: int = 30) -> dict[str, Any]:
    """The summary of the VCF or BCF bytes in `raw`, with its name and compression;
    `local_path` gives a local copy for pysam when the file turns out to be BCF."""
    if bins < 1:
        raise QcInputError("histogram_bins must be 1 or more")
    with inflated(raw) as (stream, compression):
        try:
            first = stream.readline()
        except EOFError as error:
            raise QcInputError("the compressed stream ends early (truncated?) before line 1 ends") from error
        if first.startswith(BCF_MAGIC):
            summary = variants_summary(_Lines(bcf_lines(local_path())), bins=bins)
            compression = "bgzf" if compression == "gzip" else compression
        else:
            summary = variants_summary(stream, bins=bins, first=first)
    return {**summary, "file": name, "compression": compression}


def bcf_lines(path: str) -> Iterator[bytes]:
    """A BCF file's records as VCF text lines (header first), decoded by htslib."""
    import pysam  # only BCF needs it; VCF runs skip its import

    try:
        with pysam.VariantFile(path) as variants:
            yield from str(variants.header).encode().splitlines(keepends=True)
            for record in variants:
                yield str(record).encode()
    except (OSError, ValueError) as error:
        raise QcInputError(f"not a readable BCF file: {error}") from error


class _Lines(io.BufferedReader):
    """Lines from an iterator, read as a binary stream."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        super().__init__(_LineSource(lines), buffer_size=1 << 20)


class _LineSource(io.RawIOBase):
    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines, self._pending = lines, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            self._pending = next(self._lines, b"")
            if not self._pending:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size], self._pending = self._pending[:size], self._pending[size:]
        return size


def sections(summary: dict[str, Any]) -> list[reports.Section]:
    types, qual, depth = summary["types"], summary["qual"], summary["depth"]
    ts_tv = summary["ts_tv"]
    facts = [
        ("Records", f"{summary['records']:,}"), ("Samples", f"{summary['samples']:,}"),
        *((kind.upper() if kind != "no_alt" else "No ALT", f"{types[kind]:,}") for kind in types),
        ("Multiallelic sites", f"{summary['multiallelic']:,} ({summary['multiallelic_snp']:,} SNP only)"),
        ("Ts / Tv", f"{summary['transitions']:,} / {summary['transversions']:,}"
            + (f" = {ts_tv:.3f}" if ts_tv is not None else "")),
        ("Mean QUAL", "—" if qual["mean"] is None else f"{qual['mean']:.2f} ({qual['missing']:,} missing)"),
        ("Mean depth", "—" if depth["mean"] is None else f"{depth['mean']:.2f} (from {', '.join(depth['source'])})"),
        ("Compression", summary["compression"]),
    ]  # fmt: skip
    chromosomes, filters = summary["chromosomes"], summary["filters"]
    figures = [
        reports.bar("Records by type", list(types), list(types.values()), "Type", "Records"),
        reports.bar("Records per chromosome", list(chromosomes), list(chromosomes.values()), "Chromosome", "Records"),
        reports.bar("QUAL", *_bins(qual["histogram"]), "QUAL (bin start)", "Records"),
        reports.bar("Depth (DP)", *_bins(depth["histogram"]), "Depth (bin start)", "Records"),
        reports.bar("FILTER", list(filters), list(filters.values()), "Filter", "Records"),
    ]
    return [reports.Section(summary["file"] or "Variants", facts, figures)]


def _bins(found: dict[str, list[int]]) -> tuple[list[int], list[int]]:
    return found["edges"][:-1], found["counts"]


def run_qc(path: str, out_dir: str) -> tuple[Path, Path]:
    """Write summary.json and report.html for a local VCF or BCF into out_dir."""
    with open(path, "rb") as raw:
        summary = summarize(raw, lambda: path, Path(path).name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary_path, report_path = out / "summary.json", out / "report.html"
    summary_path.write_text(json.dumps(summary, indent=1))
    report_path.write_text(reports.page(f"Variant QC: {summary['file']}", sections(summary)), encoding="utf-8")
    return summary_path, report_path
