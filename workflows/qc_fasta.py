"""FASTA QC: sequences, total length, N50/L50, GC and a length histogram, in one streamed pass.

Lengths are kept as a count per distinct length, so memory grows with the number of
distinct lengths (and the longest single sequence, which dnaio holds whole), not with the
file. The summary's schema is in docs/qc.md (`latchlike.qc.fasta/1`).
"""

from __future__ import annotations

from collections import Counter
from typing import IO, Any

import dnaio
from flytekit import task, workflow
from flytekit.types.file import FlyteFile

from workflows import reports
from workflows.qc_common import QcInputError, QcOutputs, open_input, write_page

SCHEMA = "latchlike.qc.fasta/1"
LONGEST_SHOWN = 10
_RESIDUES = b"ACGTURYKMSWBDHVNXacgturykmswbdhvnx*-."


def fasta_summary(stream: IO[bytes], *, bins: int = 20) -> dict[str, Any]:
    """The statistics of the FASTA records in `stream` (decompressed bytes). Raises
    QcInputError naming the line or the sequence where the input stops being FASTA."""
    lengths: Counter[int] = Counter()
    bases = Counter({"gc": 0, "at": 0, "n": 0})
    longest: list[tuple[int, str]] = []
    count = 0
    try:
        with dnaio.open(stream, fileformat="fasta") as records:
            for count, record in enumerate(records, 1):
                # Counting by deletion (bytes.translate) runs at memory speed; str.count would not.
                data = record.sequence.encode("ascii", "replace")  # one byte per character
                bad = data.translate(None, _RESIDUES)
                if bad:
                    at = data.index(bad[:1])
                    raise QcInputError(
                        f"sequence {count} ({record.name!r}): {record.sequence[at]!r} at position {at + 1} "
                        "is not a residue letter"
                    )
                length = len(data)
                lengths[length] += 1
                bases["gc"] += length - len(data.translate(None, b"GCSgcs"))
                bases["at"] += length - len(data.translate(None, b"ATUWatuw"))
                bases["n"] += length - len(data.translate(None, b"Nn"))
                _keep_longest(longest, length, record.name)
    except dnaio.FileFormatError as error:
        raise QcInputError(f"not FASTA after {count} sequences: {error}") from error
    except EOFError as error:
        raise QcInputError(f"the compressed stream ends early (truncated?) after {count} sequences") from error
    return _summary(lengths, bases, longest, bins)


def n50(lengths: Counter[int]) -> tuple[int, int]:
    """(N50, L50): the length of the sequence that takes the running total (longest first)
    to half the total length or more, and how many sequences that took. (0, 0) when empty."""
    total = sum(length * n for length, n in lengths.items())
    running = taken = 0
    for length in sorted(lengths, reverse=True):
        n = lengths[length]
        if 2 * (running + length * n) >= total:
            needed = -(-(total - 2 * running) // (2 * length))  # ceil((total/2 - running) / length)
            return length, taken + max(needed, 1)
        running += length * n
        taken += n
    return 0, 0


def histogram(lengths: Counter[int], bins: int) -> dict[str, list[int]]:
    """At most `bins` equal-width bins from the shortest length on: bin i holds the lengths
    from edges[i] up to but not including edges[i + 1]."""
    if not lengths:
        return {"edges": [], "counts": []}
    low, high = min(lengths), max(lengths)
    width = max(1, -(-(high - low + 1) // bins))
    count = min(bins, -(-(high - low + 1) // width))
    counts = [0] * count
    for length, n in lengths.items():
        counts[min((length - low) // width, count - 1)] += n
    return {"edges": [low + i * width for i in range(count + 1)], "counts": counts}


def _keep_longest(longest: list[tuple[int, str]], length: int, name: str) -> None:
    if len(longest) < LONGEST_SHOWN or length > longest[-1][0]:
        longest.append((length, name))
        longest.sort(key=lambda item: -item[0])
        del longest[LONGEST_SHOWN:]


def _summary(lengths: Counter[int], bases: Counter[str], longest: list[tuple[int, str]], bins: int) -> dict[str, Any]:
    sequences = sum(lengths.values())
    total = sum(length * n for length, n in lengths.items())
    called = bases["gc"] + bases["at"]
    middle, count = n50(lengths)
    return {
        "schema": SCHEMA,
        "sequences": sequences,
        "total_length": total,
        "min_length": min(lengths, default=0),
        "max_length": max(lengths, default=0),
        "mean_length": total / sequences if sequences else None,
        "n50": middle,
        "l50": count,
        "gc_fraction": bases["gc"] / called if called else None,
        "n_count": bases["n"],
        "n_fraction": bases["n"] / total if total else None,
        "length_histogram": histogram(lengths, bins),
        "longest": [{"name": name, "length": length} for length, name in longest],
    }


def _sections(summary: dict[str, Any]) -> list[reports.Section]:
    def number(value: Any) -> str:
        return "—" if value is None else f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"

    facts = [(key.replace("_", " ").capitalize(), number(summary[key])) for key in (
        "sequences", "total_length", "min_length", "max_length", "mean_length", "n50", "l50", "gc_fraction",
        "n_count", "n_fraction")] + [("Compression", summary["compression"])]  # fmt: skip
    edges, counts = summary["length_histogram"]["edges"], summary["length_histogram"]["counts"]
    labels = [f"{edges[i]}–{edges[i + 1] - 1}" for i in range(len(counts))]
    longest = summary["longest"]
    gc = summary["gc_fraction"]
    figures = [
        reports.bar("Sequence lengths", labels, counts, "Length (bp)", "Sequences"),
        reports.bar("Longest sequences", [s["name"] for s in longest], [s["length"] for s in longest], "Sequence",
                    "Length (bp)"),
    ]  # fmt: skip
    if gc is not None:
        figures.append(reports.bar("Base composition", ["GC", "AT"], [gc, 1 - gc], "Bases", "Fraction of A/C/G/T"))
    return [reports.Section("Overview", facts, figures)]


@task
def fasta_stats(file: FlyteFile, histogram_bins: int = 20) -> QcOutputs:
    """Compute the FASTA statistics of one file and write its summary and report.

    Args:
        file: A FASTA file, plain, gzip/BGZF or bzip2 compressed.
        histogram_bins: How many bins the length histogram has.
    """
    if histogram_bins < 1:
        raise QcInputError("histogram_bins must be 1 or more")
    with open_input(file) as (stream, compression):
        summary = {**fasta_summary(stream, bins=histogram_bins), "compression": compression}
    return write_page(summary, "FASTA QC", _sections(summary))


@workflow
def fasta_qc(file: FlyteFile, histogram_bins: int = 20) -> QcOutputs:
    """FASTA quality control.

    Counts sequences and residues, and reports N50/L50, GC content, N content and the
    length distribution of a FASTA file (genome, assembly, transcripts or proteins).
    Runs by itself on every uploaded FASTA file; run it here by hand for any other.

    __metadata__:
        display_name: FASTA QC
        license:
            id: Apache-2.0
        tags: [qc, fasta]

    Args:
        file: A FASTA file, plain, gzip/BGZF or bzip2 compressed.
          __metadata__:
            display_name: FASTA file
        histogram_bins: How many bins the length histogram has.
          __metadata__:
            display_name: Histogram bins
    """
    return fasta_stats(file=file, histogram_bins=histogram_bins)
