"""A QC input's compression, told by its first bytes (never by its name: a gzipped FASTQ
named `reads.fq` is still gzip). Free of flytekit, so scans and benchmarks import it cheaply."""

from __future__ import annotations

MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\x28\xb5\x2f\xfd", "zstd"))


def compression(head: bytes) -> str:
    """`gzip` (BGZF too), `bzip2`, `zstd` or `none`, from at least the first 4 bytes."""
    return next((name for magic, name in MAGIC if head.startswith(magic)), "none")
