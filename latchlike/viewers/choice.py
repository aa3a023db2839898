"""Which viewers a file gets, from its detected kind: one table, first entry the default.

A viewer is a way to look at a file in the browser without downloading it. Kinds with no
entry get none: the page then says what the file is and offers the download.
"""

from __future__ import annotations

from typing import Literal

Viewer = Literal["qc", "records", "table", "text", "json", "html", "image", "pdf", "genome"]
"""`qc` is not chosen by kind: a file has it when a QC rule applies to it (`viewers.service`)."""

VIEWERS_BY_KIND: dict[str, tuple[Viewer, ...]] = {
    "fastq": ("records", "text"),
    "fasta": ("records", "text"),
    "bam": ("genome",),
    "cram": ("genome",),
    "bigwig": ("genome",),
    "sam": ("records", "text"),
    "vcf": ("records", "genome", "text"),
    "bed": ("records", "genome", "text"),
    "gff": ("records", "genome", "text"),
    "csv": ("table", "text"),
    "tsv": ("table", "text"),
    "json": ("json", "text"),
    "html": ("html", "text"),
    "text": ("text",),
    "png": ("image",),
    "pdf": ("pdf",),
}
READABLE_COMPRESSIONS = frozenset({"none", "gzip", "bgzf", "bzip2"})
"""What the viewers can decompress as they read; zstd files get no viewer (yet)."""
RAW_VIEWERS: frozenset[Viewer] = frozenset({"html", "image", "pdf"})
"""Viewers that show the file's own bytes in the page (a frame, an image) instead of text we render."""
GENOME_COMPRESSIONS = {"bam": frozenset({"bgzf"})}
"""The genome browser reads BAM as BGZF with its index; CRAM and bigWig compress inside their
own containers (detected as uncompressed), the text formats it reads uncompressed."""


def viewers_for(kind: str | None, compression: str | None) -> tuple[Viewer, ...]:
    kind, compression = kind or "", compression or "none"
    viewers = VIEWERS_BY_KIND.get(kind, ())
    if compression not in READABLE_COMPRESSIONS:
        return ()
    if compression != "none":
        viewers = tuple(viewer for viewer in viewers if viewer not in RAW_VIEWERS)
    if compression not in GENOME_COMPRESSIONS.get(kind, frozenset({"none"})):
        viewers = tuple(viewer for viewer in viewers if viewer != "genome")
    return viewers
