"""One file, looked at with one viewer: what the viewer page shows.

`describe` reads the record (a database unit of work); `look` reads the bytes (store I/O,
in a worker thread). Nothing here knows HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from latchlike.errors import InvalidArgument
from latchlike.files import outputs
from latchlike.files import service as files
from latchlike.files.kinds import HEAD_BYTES, detect
from latchlike.files.paths import check_path, is_outputs
from latchlike.store import FileStore
from latchlike.triggers.qc_info import QcInfo
from latchlike.triggers.state import file_qc, qc_output_key
from latchlike.viewers.choice import Viewer, viewers_for
from latchlike.viewers.content import open_binary, open_text
from latchlike.viewers.indexes import alignments_index, fasta_index
from latchlike.viewers.records import Records, first_records
from latchlike.viewers.table import TableCache, TablePage, read_table
from latchlike.viewers.text import Lines, line_page, pretty_json

QC_INDEX_OUTPUT = "alignment_index"
"""The built-in alignment QC's output holding the file's `.bai`/`.crai` (workflows/qc_alignments.py)."""
RECORDS_SHOWN = 50
LINES_SHOWN = 500
ROWS_SHOWN = 100


@dataclass(frozen=True)
class FileRef:
    project: str
    path: str
    key: str
    kind: str
    compression: str
    size: int
    sha256: str
    viewers: tuple[Viewer, ...]
    qc: QcInfo | None = None
    """The managed file's QC, when a rule gives it one: then `qc` is its first viewer."""
    qc_index: str | None = None
    """The store key of the index the file's QC built (BAM, CRAM), reused by the genome browser."""


@dataclass(frozen=True)
class Look:
    viewer: Viewer
    body: Records | TablePage | Lines | None
    note: str | None = None
    """Why the viewer shows less than asked (JSON shown as text, a cut table)."""


def describe(session: Session, store: FileStore, project: str, path: str) -> FileRef:
    """The file at `path`: a managed file, or an execution's output below `.executions`
    (typed here from its first bytes: outputs are recorded without a kind)."""
    if is_outputs(check_path(path)):
        found = outputs.download(session, store, project, path)
        size = found.info.size
        head = b"".join(store.stream(found.key, 0, min(size, HEAD_BYTES))) if size else b""
        detected = detect(head, complete=size <= HEAD_BYTES, name=found.info.name)
        # Outputs are never replaced, so the key names the content when no checksum was recorded.
        identity = found.info.sha256 or f"{found.key}:{size}"
        return FileRef(project, path, found.key, detected.kind, detected.compression, size, identity,
                       viewers_for(detected.kind, detected.compression))  # fmt: skip
    row = files.get(session, project, path)
    if row.is_folder or row.key is None:
        raise InvalidArgument(f"{path!r} is a folder: open it in the file browser")
    kind, compression = row.kind or "unknown", row.compression or "none"
    viewers = viewers_for(kind, compression)
    qc = file_qc(session, store, row.id)
    if qc.status == "none":
        return FileRef(project, row.path, row.key, kind, compression, row.size, row.sha256 or "", viewers)
    indexed = kind in ALIGNMENT_INDEXES and qc.status == "done"
    built = qc_output_key(session, store, row.id, QC_INDEX_OUTPUT) if indexed else None
    # Double-clicking a file opens its QC first: the plots, or why it failed, or that it runs.
    return FileRef(project, row.path, row.key, kind, compression, row.size, row.sha256 or "", ("qc", *viewers), qc,
                   built)  # fmt: skip


def choose(ref: FileRef, asked: str | None) -> Viewer | None:
    """The viewer asked for if the file has it, else its default; None if it has none."""
    if asked:
        for viewer in ref.viewers:
            if viewer == asked:
                return viewer
        raise InvalidArgument(f"a {ref.kind} file has no {asked!r} viewer; it has: {', '.join(ref.viewers) or 'none'}")
    return ref.viewers[0] if ref.viewers else None


def look(store: FileStore, tables: TableCache, ref: FileRef, viewer: Viewer, query: dict[str, Any]) -> Look:
    """What `viewer` shows of the file; `query` holds `offset`, `sort`, `desc` (already ints/bools)."""
    if viewer == "records":
        with open_text(store, ref.key, ref.compression) as text:
            return Look(viewer, first_records(ref.kind, iter(text), RECORDS_SHOWN))
    if viewer == "table":
        delimiter = "\t" if ref.kind == "tsv" else ","

        def load() -> Any:
            with open_text(store, ref.key, ref.compression) as text:
                return read_table(text, delimiter)

        page = tables.page((ref.key, ref.sha256), load, offset=query["offset"], limit=ROWS_SHOWN,
                           sort=query["sort"], descending=query["desc"])  # fmt: skip
        note = f"only the first {page.total:,} rows are shown" if page.truncated else None
        return Look(viewer, page, note)
    if viewer == "json":
        with open_binary(store, ref.key, ref.compression) as data:
            lines, why_not = pretty_json(data)
        if lines is not None:
            return Look(viewer, line_page(iter(lines), query["offset"] + 1, LINES_SHOWN))
        viewer, note = "text", why_not
    else:
        note = None
    if viewer == "text":
        with open_text(store, ref.key, ref.compression) as text:
            return Look(viewer, line_page(text, query["offset"] + 1, LINES_SHOWN), note)
    return Look(viewer, None)  # shown from /raw by the page itself


GENOME_TRACKS = {"bam": ("alignment", "bam"), "cram": ("alignment", "cram"), "vcf": ("variant", "vcf"),
                 "bed": ("annotation", "bed"), "gff": ("annotation", "gff3"), "bigwig": ("wig", "bigwig")}  # fmt: skip
"""Kind → (igv.js track type, format)."""
ALIGNMENT_INDEXES = {"bam": "bai", "cram": "crai"}
INDEX_OF_KIND = {"fasta": "fai", **ALIGNMENT_INDEXES}


def references(session: Session, project: str) -> list[str]:
    """The project's FASTA files the genome browser can use as the reference (uncompressed:
    IGV seeks in them through the `.fai`)."""
    return files.paths_of_kind(session, project, kind="fasta", compression="none")


def build_index(store: FileStore, ref: FileRef, kind: str, scratch: Path) -> str:
    """The key of the index `kind` of the file, built now if it never was."""
    if INDEX_OF_KIND.get(ref.kind) != kind:
        raise InvalidArgument(f"a {ref.kind} file has no {kind!r} index; indexes: fai (FASTA), bai (BAM), crai (CRAM)")
    if kind == "fai":
        return fasta_index(store, ref.key, ref.sha256, scratch)
    return alignments_index(store, ref.key, ref.sha256, scratch, kind, ref.qc_index)[0]


def genome_locus(store: FileStore, ref: FileRef, scratch: Path) -> str:
    """Where the genome browser opens: the first covered locus of a BAM (indexing it if
    needed), the first record of a VCF, BED or GFF; '' for the reference's start."""
    if ref.kind in ALIGNMENT_INDEXES:  # where the index says the first reads are
        suffix = ALIGNMENT_INDEXES[ref.kind]
        _, locus_key = alignments_index(store, ref.key, ref.sha256, scratch, suffix, ref.qc_index)
        return b"".join(store.stream(locus_key)).decode()
    if ref.kind not in ("vcf", "bed", "gff"):
        return ""  # bigWig: the first chromosome, whole
    with open_text(store, ref.key, ref.compression) as text:
        first = first_records(ref.kind, iter(text), 1)
    if not first.rows:
        return ""
    row = first.rows[0]
    column = 3 if ref.kind == "gff" else 1  # GFF: start; VCF: POS; BED: chromStart, 0-based
    try:
        start = int(row[column]) + (1 if ref.kind == "bed" else 0)
    except ValueError:
        return ""
    return f"{row[0]}:{max(1, start - 500)}-{start + 500}"
