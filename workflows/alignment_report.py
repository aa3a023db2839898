"""The alignment QC's work, free of flytekit (bench/qc.py times it in a bare process): the
statistics of workflows/alignment_stats.py, written as the QC workflow contract's `summary`
JSON and `report` self-contained HTML (through workflows/reports.py), and the file's index.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from workflows import reports
from workflows.alignment_stats import alignment_summary


class QcFiles(NamedTuple):
    summary: Path
    report: Path
    alignment_index: Path | None  # NAME.bai or NAME.crai, when the file could be indexed


def run_qc(path: str, out_dir: str, *, max_insert: int = 1000, name: str = "") -> QcFiles:
    """Write summary.json, report.html and the index (named after the file) for the
    alignments at `path` (shown as `name`, by default its file name) into out_dir."""
    name = name or os.path.basename(path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = out / f"{name}.bai"  # alignment_summary sets the suffix: .bai or .crai
    summary = {"file": name, **alignment_summary(path, max_insert=max_insert, index_to=index)}
    summary_path, report_path = out / "summary.json", out / "report.html"
    summary_path.write_text(json.dumps(summary, indent=1))
    report_path.write_text(reports.page(f"Alignment QC: {summary['file']}", _sections(summary)), encoding="utf-8")
    built = index.with_suffix(".crai" if summary["format"] == "CRAM" else ".bai")
    return QcFiles(summary_path, report_path, built if summary["indexed"] else None)


def _sections(s: dict[str, Any]) -> list[reports.Section]:
    def share(part: str, whole: str) -> str:
        return f"{s[part]:,} ({100 * s[part] / s[whole]:.2f} %)" if s[whole] else f"{s[part]:,}"

    facts = [
        ("Format / sort order", f"{s['format']} / {s['sort_order']}"),
        ("Indexed", f"yes: {s['file']}.{'crai' if s['format'] == 'CRAM' else 'bai'}, an output of this run"
         if s["indexed"] else f"no: {s['not_indexed_because']}"),
        ("Records", f"{s['total']:,}"), ("Primary", f"{s['primary']:,}"),
        ("Secondary / supplementary", f"{s['secondary']:,} / {s['supplementary']:,}"),
        ("Duplicates", f"{s['duplicates']:,}"), ("QC failed", f"{s['qc_failed']:,}"),
        ("Mapped", share("mapped", "total")), ("Primary mapped", share("primary_mapped", "primary")),
        ("Paired", f"{s['paired']:,}"), ("Properly paired", share("properly_paired", "paired")),
        ("Both mates mapped", f"{s['both_mapped']:,}"), ("Singletons", share("singletons", "paired")),
        ("Mate on another chromosome (MAPQ ≥ 5)",
         f"{s['mate_on_other_chromosome']:,} ({s['mate_on_other_chromosome_mapq5']:,})"),
    ]  # fmt: skip
    inserts = s["insert_sizes"]
    contigs = [c for c in s["contigs"] if c["reads"]] or s["contigs"]
    names = [c["name"] for c in contigs]
    figures = [
        reports.bar("Mapping quality (primary mapped reads)", *_columns(s["mapq_histogram"]), "MAPQ", "Reads"),
        reports.lines(
            f"Insert sizes (properly paired, up to {inserts['max']})", [p[0] for p in inserts["histogram"]],
            {"pairs": [p[1] for p in inserts["histogram"]]}, "Insert size (bp)", "Pairs",
        ),
        reports.bar("Reads per reference", names, [c["reads"] for c in contigs], "Reference", "Reads"),
        reports.bar("Mean depth per reference", names, [c["mean_depth"] for c in contigs], "Reference", "Depth"),
    ]  # fmt: skip
    notes = [] if s["total"] else ["The file holds no records."]
    return [reports.Section(s["file"], facts, figures, notes)]


def _columns(pairs: list[list[int]]) -> tuple[list[int], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]
