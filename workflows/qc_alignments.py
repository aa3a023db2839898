"""Alignment QC: the built-in QC workflow for BAM, SAM and CRAM files. The statistics are in
workflows/alignment_stats.py; outputs follow the QC workflow contract (`summary` JSON,
`report` self-contained HTML through workflows/reports.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from flytekit import current_context, task, workflow
from flytekit.types.file import FlyteFile

from workflows import reports
from workflows.alignment_stats import alignment_summary


class QcOutputs(NamedTuple):
    summary: FlyteFile
    report: FlyteFile


def run_qc(path: str, out_dir: str, *, max_insert: int = 1000, name: str = "") -> tuple[Path, Path]:
    """Write summary.json and report.html for the alignments at `path` (shown as `name`,
    by default its file name) into out_dir."""
    summary = {"file": name or os.path.basename(path), **alignment_summary(path, max_insert=max_insert)}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary_path, report_path = out / "summary.json", out / "report.html"
    summary_path.write_text(json.dumps(summary, indent=1))
    report_path.write_text(reports.page(f"Alignment QC: {summary['file']}", _sections(summary)), encoding="utf-8")
    return summary_path, report_path


def _sections(s: dict[str, Any]) -> list[reports.Section]:
    def share(part: str, whole: str) -> str:
        return f"{s[part]:,} ({100 * s[part] / s[whole]:.2f} %)" if s[whole] else f"{s[part]:,}"

    facts = [
        ("Format / sort order", f"{s['format']} / {s['sort_order']}"),
        ("Indexed", "yes" if s["indexed"] else f"no: {s['not_indexed_because']}"),
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


@task
def alignments_stats(file: FlyteFile, max_insert: int = 1000) -> QcOutputs:
    """Scan the alignments, index them if sorted, and write the JSON summary and the HTML report.

    Args:
        file: A BAM, SAM or CRAM file.
        max_insert: The largest insert size counted in the distribution; larger ones are only counted.
    """
    out = Path(current_context().working_directory) / "qc"
    name = os.path.basename(str(file.remote_source or file.path))
    summary, report = run_qc(file.download(), str(out), max_insert=max_insert, name=name)
    return QcOutputs(summary=FlyteFile(str(summary)), report=FlyteFile(str(report)))


@workflow
def alignments_qc(file: FlyteFile, max_insert: int = 1000) -> QcOutputs:
    """Alignment quality control for BAM, SAM and CRAM files.

    Counts records the way `samtools flagstat` does (primary, secondary, supplementary,
    duplicates, mapped, paired, properly paired, singletons, mates on other chromosomes),
    and draws the mapping-quality histogram, the insert-size distribution and the reads
    and mean depth per reference. A coordinate-sorted BAM or CRAM is indexed.

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
