"""The FASTQ QC's work, free of flytekit (bench/qc.py times it in a bare process): scan the
file (and its mate), write the JSON summary and the HTML report.

The summary schema is documented in workflows/fastq_summary.py; a paired run adds the
mate's summary under `mate` and `pairs_match` (same number of reads in both files).

numpy and numba are imported by run_qc, not by this module, so that no garbage collection
runs while numba makes its ~100k long-lived objects and none walks them afterwards (they
are frozen, `qc_gc`): in a cold process that is 0.05 s of start-up and 0.2 s of the
interpreter's exit, a sixth of a 2 s gzip run. A QC task is a process of its own, so
freezing is safe.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workflows import reports
from workflows.qc_gc import loading_kernels


def run_qc(path: str, out_dir: str, mate: str | None = None) -> tuple[Path, Path]:
    """Write summary.json and report.html for a FASTQ (and its mate) into out_dir."""
    with loading_kernels():
        from workflows import fastq_scan, fastq_stats, fastq_summary

        fastq_stats.load()

    def summary_of(file: Path) -> dict[str, Any]:
        return fastq_summary.summarize(fastq_scan.scan_file(file), file.name)

    summary = summary_of(Path(path))
    if mate is not None:
        summary["mate"] = summary_of(Path(mate))
        summary["pairs_match"] = summary["mate"]["reads"] == summary["reads"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary_path, report_path = out / "summary.json", out / "report.html"
    summary_path.write_text(json.dumps(summary, indent=1))
    report_path.write_text(reports.page(f"FASTQ QC: {summary['file']}", _sections(summary)), encoding="utf-8")
    return summary_path, report_path


def _sections(summary: dict[str, Any]) -> list[reports.Section]:
    sections = _file_sections(summary, "")
    if "mate" in summary:
        sections += _file_sections(summary["mate"], "Mate: ")
        if not summary["pairs_match"]:
            sections[0].notes.append(f"The mates differ: {summary['reads']:,} and {summary['mate']['reads']:,} reads.")
    return sections


def _file_sections(s: dict[str, Any], prefix: str) -> list[reports.Section]:
    if s["empty"]:
        return [reports.Section(f"{prefix}{s['file']}", [("Reads", "0")], notes=["The file holds no reads."])]
    pos = s["per_position"]
    q = pos["quality"]
    dup, adapters = s["duplication"], s["adapters"]
    facts = [
        ("Reads", f"{s['reads']:,}"), ("Bases", f"{s['bases']:,}"),
        ("Length (min / mean / max)", f"{s['length']['min']} / {s['length']['mean']:.1f} / {s['length']['max']}"),
        ("GC", f"{s['gc_percent']:.2f} %"), ("N", f"{s['n_percent']:.3f} %"),
        ("Q20 / Q30 bases", f"{s['q20_percent']:.2f} % / {s['q30_percent']:.2f} %"),
        ("Mean base quality", f"{s['mean_quality']:.2f}"),
        ("Quality encoding", f"{s['encoding']['name']} (characters {''.join(s['encoding']['quality_chars'])})"),
        ("Duplicate reads (estimate)", f"{dup['duplicate_percent']:.2f} % (± {dup['relative_error']:.1%})"),
        *((f"Adapter {a['sequence']}", f"{a['reads_percent']:.2f} % of reads") for a in adapters.values()),
    ]  # fmt: skip
    span = pos["position"]
    box = {"q1": q["q1"], "median": q["median"], "q3": q["q3"], "lowerfence": q["p10"], "upperfence": q["p90"],
           "mean": q["mean"]}  # fmt: skip
    figures = [
        reports.boxes("Quality per position (box 25–75 %, whiskers 10–90 %)", span, box, "Position", "Phred quality"),
        reports.bar("Mean quality per read", *_columns(s["per_read_mean_quality"]), "Mean Phred quality", "Reads"),
        reports.bar("Read lengths", *_columns(s["length"]["histogram"]), "Length (bp)", "Reads"),
        reports.bar("GC content per read", *_columns(s["gc_distribution"]), "GC %", "Reads"),
        reports.lines("Base content per position", span, pos["base_percent"], "Position", "% of bases"),
        reports.lines("N content per position", span, {"N": pos["base_percent"]["N"]}, "Position", "% N"),
        reports.lines(
            "Adapter content (reads with the adapter at or before the position)", span,
            {name: a["cumulative_percent"] for name, a in adapters.items()}, "Position", "% of reads",
        ),
    ]  # fmt: skip
    return [reports.Section(f"{prefix}{s['file']}", facts, figures)]


def _columns(pairs: list[list[int]]) -> tuple[list[int], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]
