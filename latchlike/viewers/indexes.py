"""Indexes the genome browser needs, built on demand from the file itself and kept in the
store by content hash: `.fai` for a FASTA reference (pure Python, one streaming pass) and
`.bai`/`.crai` for a coordinate-sorted BAM/CRAM (pysam), with the first covered locus beside
it so that opening one jumps to reads instead of an empty chromosome start."""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)
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


def alignments_index(
    store: FileStore, key: str, sha256: str, scratch: Path, suffix: str, built: str | None = None
) -> tuple[str, str]:
    """The keys of a BAM's `.bai` (or a CRAM's `.crai`, `suffix`) and of its first covered
    locus ('' if no read maps, or a CRAM's reads cannot be read without its reference).
    `built` is the key of the index the file's QC already made: taken as it is, since
    indexing a large BAM again would hold the first view for minutes."""
    import pysam  # heavy; only the genome viewer needs it

    target, locus_target = index_key(sha256, suffix), index_key(sha256, "locus")
    if store.exists(target) and store.exists(locus_target):
        return target, locus_target
    with _local_copy(store, key, scratch, suffix) as path:
        index = scratch / f"{sha256}.{suffix}"
        if built is not None and built.endswith(f".{suffix}") and store.exists(built):
            log.info("the %s of %s is the one its QC built (%s)", suffix, key, built)
            with index.open("wb") as out:
                for chunk in store.stream(built):
                    out.write(chunk)
        else:
            try:
                pysam.index(str(path), str(index))
            except pysam.SamtoolsError as error:
                raise InvalidArgument(
                    f"this file cannot be indexed ({str(error).strip()[-200:]}); the genome browser needs it sorted by "
                    "coordinate: `samtools sort` it and upload it again"
                ) from None
        locus = scratch / f"{sha256}.locus"
        locus.write_text(_first_cram_locus(path, index) if suffix == "crai" else _first_covered_locus(path, index))
        store.put_file(target, index)
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
def _local_copy(store: FileStore, key: str, scratch: Path, suffix: str) -> Iterator[Path]:
    """A path pysam can open: the object itself on the local store, else a temporary copy."""
    uri = urlparse(store.uri(key))
    if uri.scheme == "file":
        yield Path(uri.path)
        return
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=".bam" if suffix == "bai" else ".cram") as copy:
        for chunk in store.stream(key):
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def _first_covered_locus(path: Path, index: Path) -> str:
    import pysam

    try:
        with pysam.AlignmentFile(str(path), index_filename=str(index)) as alignments:
            for statistics in alignments.get_index_statistics():
                if statistics.mapped:
                    first = next(alignments.fetch(statistics.contig), None)
                    if first is not None:
                        start = first.reference_start + 1
                        return f"{statistics.contig}:{start}-{start + LOCUS_WINDOW}"
    except (OSError, ValueError):  # unreadable after all: open at the start
        return ""
    return ""


def _first_cram_locus(path: Path, crai: Path) -> str:
    """From the `.crai` (gzipped lines: reference id, start, span, …): a CRAM's reads cannot
    be decoded without its reference, but the index says where the first slice starts."""
    import gzip

    import pysam

    with gzip.open(crai, "rt") as lines:
        first = next((fields for fields in (line.split("\t") for line in lines) if int(fields[0]) >= 0), None)
    if first is None:
        return ""
    with pysam.AlignmentFile(str(path), "rc") as alignments:  # the header only
        contig = alignments.get_reference_name(int(first[0]))
    start = max(1, int(first[1]))
    return f"{contig}:{start}-{start + LOCUS_WINDOW}"
