"""Turn the kernel's tables into the FASTQ QC summary (schema `latchlike.fastq_qc/1`).

Summary fields (all counts exact; percentages rounded to 4 decimals):
- `reads`, `bases`, `gc_percent`, `n_percent`, `base_percent` ({A, C, G, T, N}),
  `q20_percent`, `q30_percent`, `mean_quality`
- `quality_histogram`: `[[quality, bases], ...]` over all positions
- `encoding`: `{name, offset, quality_chars: [lowest, highest]}` — chosen from the range of
  quality characters seen: lowest below ';' → Sanger / Illumina 1.8+ (offset 33); below '@'
  → Solexa (offset 64, Solexa scores); else Illumina 1.3+ (offset 64). Qualities below are
  on that scale.
- `length`: `{min, max, mean, histogram: [[length, reads], ...]}`
- `per_position`: `{position: [1, ...], quality: {p10, q1, median, q3, p90, mean},
  base_percent: {A, C, G, T, N}}` (positions past 1,000 are folded into the last entry)
- `per_read_mean_quality`: `[[quality, reads], ...]`; `gc_distribution`: `[[gc %, reads], ...]`
- `duplication`: `{method, distinct_reads, duplicate_percent, relative_error}`: distinct
  sequences counted by a HyperLogLog sketch over every read (2^14 registers, 16 KiB,
  ≈0.8 % standard error), so memory stays flat on any file size.
- `adapters`: per adapter `{sequence, reads_percent, cumulative_percent}`, the percentage of
  reads holding the adapter's first 12 bases at or before each position (as FastQC plots).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workflows import fastq_stats as k

SCHEMA = "latchlike.fastq_qc/1"
ADAPTER_NAMES = ("illumina_universal", "nextera")


def encoding(qmin: int, qmax: int) -> dict[str, Any]:
    """The quality encoding a range of quality characters implies (qmin/qmax as char − 33)."""
    lowest, highest = qmin + 33, qmax + 33
    if lowest < ord(";"):
        name, offset = "Sanger / Illumina 1.8+", 33
    elif lowest < ord("@"):
        name, offset = "Solexa", 64
    else:
        name, offset = "Illumina 1.3+", 64
    return {"name": name, "offset": offset, "quality_chars": [chr(lowest), chr(highest)]}


def summarize(tables: dict[str, np.ndarray], name: str) -> dict[str, Any]:
    counts = tables["counts"]
    reads, bases = int(counts[k.READS]), int(counts[k.BASES])
    summary: dict[str, Any] = {"schema": SCHEMA, "file": name, "reads": reads, "bases": bases}
    if reads == 0:
        return summary | {"empty": True}
    pos_qual = tables["pos_qual"]
    all_qual = pos_qual.sum(axis=0)
    seen = np.flatnonzero(all_qual)
    enc = encoding(int(seen.min()), int(seen.max()))
    shift = enc["offset"] - 33
    scores = np.arange(k.QBINS) - shift
    pos_base = tables["pos_base"]
    span = _span(tables)
    return summary | {
        "empty": False,
        "encoding": enc,
        "gc_percent": _pct(int(counts[k.GC]), bases),
        "n_percent": _pct(int(pos_base[:, 4].sum()), bases),
        "base_percent": {letter: _pct(int(pos_base[:, i].sum()), bases) for i, letter in enumerate("ACGTN")},
        "q20_percent": _pct(int(all_qual[scores >= 20].sum()), bases),
        "q30_percent": _pct(int(all_qual[scores >= 30].sum()), bases),
        "mean_quality": round(float((all_qual * scores).sum()) / bases, 4),
        "quality_histogram": [[int(scores[q]), int(n)] for q, n in _nonzero(all_qual)],
        "length": _lengths(tables["lengths"], reads, bases),
        "per_position": _per_position(pos_qual, pos_base, scores, int(np.flatnonzero(tables["lengths"]).max())),
        "per_read_mean_quality": [[int(q) - shift, int(n)] for q, n in _nonzero(tables["mean_qual"])],
        "gc_distribution": [[int(g), int(n)] for g, n in _nonzero(tables["gc"])],
        "duplication": _duplication(tables["hll"], reads),
        "adapters": {
            label: {
                "sequence": k.ADAPTERS[i],
                "reads_percent": _pct(int(tables["adapters"][i].sum()), reads),
                "cumulative_percent": [round(100 * c / reads, 4) for c in np.cumsum(tables["adapters"][i])[:span]],
            }
            for i, label in enumerate(ADAPTER_NAMES)
        },
    }  # fmt: skip


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 4) if whole else 0.0


def _nonzero(hist: np.ndarray) -> list[tuple[int, int]]:
    return [(int(i), int(hist[i])) for i in np.flatnonzero(hist)]


def _span(tables: dict[str, np.ndarray]) -> int:
    return min(int(np.flatnonzero(tables["lengths"]).max()), k.MAX_POS)


def _lengths(hist: np.ndarray, reads: int, bases: int) -> dict[str, Any]:
    present = np.flatnonzero(hist)
    return {
        "min": int(present.min()),
        "max": int(present.max()),
        "mean": round(bases / reads, 4),
        "histogram": [[int(n), int(hist[n])] for n in present],
    }


def _per_position(pos_qual: np.ndarray, pos_base: np.ndarray, scores: np.ndarray, longest: int) -> dict[str, Any]:
    span = min(max(longest, 1), k.MAX_POS)
    qual = pos_qual[:span]
    total = qual.sum(axis=1)
    cum = qual.cumsum(axis=1)

    def quantile(fraction: float) -> list[int]:
        # nearest rank: the lowest score whose cumulative count reaches the fraction
        ranks = (cum < np.ceil(fraction * total)[:, None]).sum(axis=1)
        return [int(scores[min(r, k.QBINS - 1)]) for r in ranks]

    mean = (qual * scores).sum(axis=1) / np.maximum(total, 1)
    base = pos_base[:span]
    covered = np.maximum(base.sum(axis=1), 1)
    return {
        "position": list(range(1, span + 1)),
        "quality": {
            "p10": quantile(0.10), "q1": quantile(0.25), "median": quantile(0.5), "q3": quantile(0.75),
            "p90": quantile(0.90), "mean": [round(float(m), 3) for m in mean],
        },
        "base_percent": {
            letter: [round(100 * float(v), 3) for v in base[:, i] / covered] for i, letter in enumerate("ACGTN")
        },
    }  # fmt: skip


def _duplication(hll: np.ndarray, reads: int) -> dict[str, Any]:
    m = len(hll)
    alpha = 0.7213 / (1 + 1.079 / m)
    raw = alpha * m * m / float(np.sum(np.ldexp(1.0, -hll.astype(np.int64))))
    zeros = int((hll == 0).sum())
    estimate = m * math.log(m / zeros) if raw <= 2.5 * m and zeros else raw  # linear counting when small
    distinct = min(reads, round(estimate))
    return {
        "method": f"HyperLogLog over every read's sequence ({m} registers)",
        "distinct_reads": distinct,
        "duplicate_percent": _pct(reads - distinct, reads),
        "relative_error": round(1.04 / math.sqrt(m), 4),
    }
