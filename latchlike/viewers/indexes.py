"""Indexes the genome browser needs, built on demand from the file itself and kept in the
store by content hash: `.fai` for a FASTA reference (pure Python, one streaming pass) and
`.bai` for a coordinate-sorted BAM (pysam), with the first covered locus beside it so that
opening a BAM jumps to reads instead of an empty chromosome start."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from latchlike.errors import InvalidArgument
from latchlike.store import FileStore
from latchlike.store.keys import index_key
from latchlike.viewers.content import open_binary

LOCUS_WINDOW = 1000
"""Bases shown around the first covered position."""


def fasta_index(store: FileStore, key: str, sha256: str, scratch: Path) -> str:
    """The key of the FASTA's `.fai` (samtools faidx's format), built if missing."""
    target = index_key(sha256, "fai")
    if not store.exists(target):
        built = scratch / f"{sha256}.fai"
        with open_binary(store, key, "none") as data, built.open("w") as out:
            for line in _fai_lines(data):
                out.write(line)
        store.put_file(target, built)
    return target


def bam_index(store: FileStore, key: str, sha256: str, scratch: Path) -> tuple[str, str]:
    """The keys of the BAM's `.bai` and of its first covered locus ('' if no read maps)."""
    import pysam  # heavy; only the genome viewer needs it

    target, locus_target = index_key(sha256, "bai"), index_key(sha256, "locus")
    if store.exists(target) and store.exists(locus_target):
        return target, locus_target
    with _local_copy(store, key, scratch) as bam_path:
        built = scratch / f"{sha256}.bai"
        try:
            pysam.index(str(bam_path), str(built))
        except pysam.SamtoolsError as error:
            raise InvalidArgument(
                f"this BAM cannot be indexed ({str(error).strip()[-200:]}); the genome browser needs it sorted by "
                "coordinate: `samtools sort` it and upload it again"
            ) from None
        locus = scratch / f"{sha256}.locus"
        locus.write_text(_first_covered_locus(bam_path, built))
        store.put_file(target, built)
        store.put_file(locus_target, locus)
    return target, locus_target


def _fai_lines(data: BinaryIO) -> Iterator[str]:
    """One `.fai` line per sequence: name, length, offset of its first base, bases per line,
    bytes per line. Lines of one sequence must all be as long, but the last: IGV (and
    samtools) seek by that arithmetic."""
    name: str | None = None
    length = offset = line_bases = line_bytes = 0
    position, short_line = 0, 0
    for number, raw in enumerate(data, start=1):
        if raw.startswith(b">"):
            if name is not None:
                yield f"{name}\t{length}\t{offset}\t{line_bases}\t{line_bytes}\n"
            name = raw[1:].split(None, 1)[0].decode("utf-8", "replace") if raw[1:].strip() else ""
            if not name:
                raise InvalidArgument(f"line {number} is a '>' header without a name")
            length, offset, line_bases, line_bytes, short_line = 0, position + len(raw), 0, 0, 0
        elif name is None:
            if raw.strip():
                raise InvalidArgument(f"line {number} holds sequence before any '>' header")
        else:
            bases = len(raw.rstrip(b"\r\n"))
            if short_line and bases:
                raise InvalidArgument(
                    f"in {name}, line {short_line} is not as long as the lines before it: the genome browser reads "
                    "FASTA lines of one width (re-wrap it, e.g. `seqkit seq -w 60`)"
                )
            if not line_bases:
                line_bases, line_bytes = bases, len(raw)
            elif bases != line_bases:
                short_line = number
            length += bases
        position += len(raw)
    if name is not None:
        yield f"{name}\t{length}\t{offset}\t{line_bases}\t{line_bytes}\n"


@contextmanager
def _local_copy(store: FileStore, key: str, scratch: Path) -> Iterator[Path]:
    """A path pysam can open: the object itself on the local store, else a temporary copy."""
    uri = urlparse(store.uri(key))
    if uri.scheme == "file":
        yield Path(uri.path)
        return
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=".bam") as copy:
        for chunk in store.stream(key):
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def _first_covered_locus(bam_path: Path, index: Path) -> str:
    import pysam

    with pysam.AlignmentFile(str(bam_path), "rb", index_filename=str(index)) as bam:
        for statistics in bam.get_index_statistics():
            if statistics.mapped:
                first = next(bam.fetch(statistics.contig), None)
                if first is not None:
                    start = first.reference_start + 1
                    return f"{statistics.contig}:{start}-{start + LOCUS_WINDOW}"
    return ""
