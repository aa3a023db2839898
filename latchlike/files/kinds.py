"""What a file is, from its first bytes: compression by magic number, then the kind from
the (decompressed) first records. The name is only a hint between kinds the content
allows equally (a BED file is also a TSV); it never names a kind the content denies.

`KINDS` is the one table, in the order kinds are tried; `unknown` is an answer, not a guess.
"""

from __future__ import annotations

import bz2
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

HEAD_BYTES = 64 * 1024
"""How much of a file's start detection reads; the staging writer keeps this much."""
UNKNOWN = "unknown"
EMPTY = "empty"
_LINES = 8

Detector = Callable[[bytes, bool], bool]
"""(decompressed head, whether the head is the whole file) → whether the content is this kind."""


@dataclass(frozen=True)
class Detected:
    kind: str
    compression: str


def _lines(head: bytes, complete: bool) -> list[str]:
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if not complete and lines and not text.endswith("\n"):
        lines = lines[:-1]  # the last line is cut where the head ends
    return lines[:_LINES]


_BASES = re.compile(r"[ACGTURYKMSWBDHVNacgturykmswbdhvn.\-*]+")
_RESIDUES = re.compile(r"[A-Za-z*\-.]+")


def _fastq(head: bytes, complete: bool) -> bool:
    lines = _lines(head, complete)
    records = [lines[i : i + 4] for i in range(0, len(lines) - 3, 4)]
    return bool(records) and all(
        r[0].startswith("@") and r[2].startswith("+") and _BASES.fullmatch(r[1]) and len(r[1]) == len(r[3])
        for r in records
    )


def _fasta(head: bytes, complete: bool) -> bool:
    lines = _lines(head, complete)
    return len(lines) >= 2 and lines[0].startswith(">") and _RESIDUES.fullmatch(lines[1]) is not None


def _sam(head: bytes, complete: bool) -> bool:
    lines = _lines(head, complete)
    if lines and re.match(r"@(HD|SQ|RG|PG)\t", lines[0]):
        return True
    body = [line.split("\t") for line in lines if line and not line.startswith("@")]
    return bool(body) and all(len(f) >= 11 and f[1].isdigit() and f[3].isdigit() and f[4].isdigit() for f in body)


def _vcf(head: bytes, complete: bool) -> bool:
    return head.startswith(b"##fileformat=VCF")


def _gff(head: bytes, complete: bool) -> bool:
    if head.startswith(b"##gff-version"):
        return True
    body = _columns(head, complete, "\t")
    return bool(body) and all(
        len(f) == 9 and f[3].isdigit() and f[4].isdigit() and f[6] in ("+", "-", ".", "?") for f in body
    )


def _bed(head: bytes, complete: bool) -> bool:
    body = _columns(head, complete, "\t", skip=("#", "track", "browser"))
    return bool(body) and all(3 <= len(f) <= 12 and f[1].isdigit() and f[2].isdigit() for f in body)


def _columns(head: bytes, complete: bool, sep: str, skip: tuple[str, ...] = ("#",)) -> list[list[str]]:
    return [line.split(sep) for line in _lines(head, complete) if line and not line.startswith(skip)]


def _table(sep: str) -> Detector:
    def detect(head: bytes, complete: bool) -> bool:
        rows = _columns(head, complete, sep, skip=())
        return _is_text(head, complete) and bool(rows) and len(rows[0]) >= 2 and len({len(r) for r in rows}) == 1

    return detect


def _json(head: bytes, complete: bool) -> bool:
    text = head.lstrip()
    if not text.startswith((b"{", b"[")):
        return False
    if not complete:
        return _is_text(head, complete)
    try:
        json.loads(head)
    except ValueError:
        return False
    return True


def _html(head: bytes, complete: bool) -> bool:
    return head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))


def _is_text(head: bytes, complete: bool) -> bool:
    if b"\x00" in head:
        return False
    try:
        (head if complete else head[: max(0, len(head) - 3)]).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _magic(prefix: bytes) -> Detector:
    return lambda head, complete: head.startswith(prefix)


KINDS: dict[str, Detector] = {
    "bam": _magic(b"BAM\x01"),
    "bcf": _magic(b"BCF\x02"),
    "cram": _magic(b"CRAM"),
    "bigwig": _magic(b"\x26\xfc\x8f\x88"),  # 0x888FFC26, little-endian
    "png": _magic(b"\x89PNG\r\n\x1a\n"),
    "pdf": _magic(b"%PDF-"),
    "vcf": _vcf,
    "sam": _sam,
    "fastq": _fastq,
    "fasta": _fasta,
    "gff": _gff,
    "bed": _bed,
    "json": _json,
    "html": _html,
    "tsv": _table("\t"),
    "csv": _table(","),
    "text": _is_text,
}
"""Kind → detector, tried in this order; the first that accepts the content wins unless
the name hints at a later one (other than `text`) that accepts it too."""

HINTS: dict[str, str] = {
    ".fastq": "fastq", ".fq": "fastq", ".fasta": "fasta", ".fa": "fasta", ".fna": "fasta", ".faa": "fasta",
    ".sam": "sam", ".bam": "bam", ".cram": "cram", ".bw": "bigwig", ".bigwig": "bigwig",
    ".vcf": "vcf", ".bcf": "bcf", ".bed": "bed",
    ".gff": "gff", ".gff3": "gff", ".gtf": "gff", ".csv": "csv", ".tsv": "tsv", ".json": "json",
    ".html": "html", ".htm": "html", ".pdf": "pdf", ".png": "png", ".txt": "text",
}  # fmt: skip
_COMPRESSION_SUFFIXES = (".gz", ".bgz", ".bz2", ".zst")


def detect(head: bytes, *, complete: bool, name: str = "") -> Detected:
    """The kind and compression of a file whose first bytes are `head` (all of it if
    `complete`). Never raises: a corrupt stream is `unknown` content."""
    compression = compression_of(head)
    if not head:
        return Detected(EMPTY, "none")
    try:
        content, content_complete = _decompress(head, compression, complete)
    except (zlib.error, OSError, EOFError, ValueError):
        return Detected(UNKNOWN, compression)
    if content is None:  # zstd: no decompressor here, so the content is not known
        return Detected(UNKNOWN, compression)
    accepted = [kind for kind, detector in KINDS.items() if detector(content, content_complete)]
    if not accepted:
        return Detected(UNKNOWN, compression)
    hinted = _hint(name)
    # Plain text is what every text kind also is: a `.txt` name never hides what is inside.
    chosen = hinted if hinted in accepted and hinted != "text" else accepted[0]
    return Detected(chosen, compression)


def compression_of(head: bytes) -> str:
    if head.startswith(b"\x1f\x8b"):
        # BGZF: a gzip member with the FEXTRA flag whose extra field is the `BC` subfield.
        return "bgzf" if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC" else "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    return "none"


def _decompress(head: bytes, compression: str, complete: bool) -> tuple[bytes | None, bool]:
    if compression == "none":
        return head, complete
    if compression == "zstd":
        return None, False
    if compression in ("gzip", "bgzf"):
        out = bytearray()
        data = head
        # Many members (BGZF blocks, concatenated gzip): read on until the head runs out.
        while data and len(out) < HEAD_BYTES:
            inflater = zlib.decompressobj(wbits=31)
            out += inflater.decompress(data, HEAD_BYTES - len(out))
            if not inflater.eof:
                return bytes(out), False
            data = inflater.unused_data
        return bytes(out), complete and not data
    inflater_bz2 = bz2.BZ2Decompressor()
    out_bz2 = inflater_bz2.decompress(head, HEAD_BYTES)
    return out_bz2, complete and inflater_bz2.eof


def _hint(name: str) -> str:
    path = PurePosixPath(name.lower())
    suffixes = path.suffixes
    while suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    return HINTS.get(suffixes[-1], "") if suffixes else ""
