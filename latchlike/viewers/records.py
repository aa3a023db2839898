"""The first records of a sequence or interval file, as a table a person can read:
FASTQ, FASTA, SAM, VCF, BED, GFF/GTF. Only the start of the file is read, however large it
is; a malformed record stops the listing with a sentence saying where, never an error page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

MAX_CELL = 300
"""Characters shown of one cell (a 150 kb contig is a 'sequence', not a page)."""
MAX_HEADER_LINES = 200

_COLUMNS = {
    "sam": ["QNAME", "FLAG", "RNAME", "POS", "MAPQ", "CIGAR", "RNEXT", "PNEXT", "TLEN", "SEQ", "QUAL", "tags"],
    "vcf": ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"],
    "bed": ["chrom", "start", "end", "name", "score", "strand", "thickStart", "thickEnd", "itemRgb",
            "blockCount", "blockSizes", "blockStarts"],
    "gff": ["seqid", "source", "type", "start", "end", "score", "strand", "phase", "attributes"],
}  # fmt: skip
_HEADER_PREFIXES = {"sam": ("@",), "vcf": ("##",), "bed": ("#", "track", "browser"), "gff": ("#",)}


@dataclass
class Records:
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    """Header lines (`@SQ`, `##INFO`, `#` comments), as they are."""
    more: bool = False
    """Records follow the ones shown."""
    problem: str | None = None
    """Why the listing stopped early: the first malformed record, named by its line."""


def first_records(kind: str, lines: Iterator[str], limit: int) -> Records:
    reader = {"fastq": _fastq, "fasta": _fasta}.get(kind, _tabular)
    return reader(kind, enumerate((line.rstrip("\r\n") for line in lines), start=1), limit)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[:MAX_CELL] + f"… ({len(text):,} characters)"


def _fastq(kind: str, numbered: Iterator[tuple[int, str]], limit: int) -> Records:
    records = Records(["name", "length", "sequence", "quality"])
    while True:
        group = list(islice(numbered, 4))
        if not group or (len(group) == 1 and not group[0][1]):
            return records
        if len(records.rows) == limit:
            records.more = True
            return records
        start = group[0][0]
        number = len(records.rows) + 1
        if len(group) < 4:
            records.problem = f"record {number} (line {start}) is cut short: a FASTQ record has 4 lines"
        elif not group[0][1].startswith("@"):
            records.problem = f"record {number} (line {start}) does not start with '@'"
        elif not group[2][1].startswith("+"):
            records.problem = f"record {number} (line {start + 2}) has no '+' separator line"
        elif len(group[1][1]) != len(group[3][1]):
            records.problem = (f"record {number} (line {start}) has {len(group[1][1])} bases "
                               f"but {len(group[3][1])} quality values")  # fmt: skip
        if records.problem:
            return records
        name, sequence, quality = group[0][1][1:], group[1][1], group[3][1]
        records.rows.append([_cut(name), f"{len(sequence):,}", _cut(sequence), _cut(quality)])


def _fasta(kind: str, numbered: Iterator[tuple[int, str]], limit: int) -> Records:
    records = Records(["name", "length", "sequence"])
    name: str | None = None
    shown, length = "", 0
    for number, line in numbered:
        if line.startswith(">"):
            if name is not None:
                records.rows.append([_cut(name), f"{length:,}", _cut(shown)])
            if len(records.rows) == limit:
                records.more = True
                return records
            name, shown, length = line[1:], "", 0
        elif name is None:
            if line.strip():
                records.problem = f"line {number} holds sequence before any '>' header"
                return records
        else:
            length += len(line.strip())
            if len(shown) <= MAX_CELL:
                shown += line.strip()
    if name is not None:
        records.rows.append([_cut(name), f"{length:,}", _cut(shown)])
    return records


def _tabular(kind: str, numbered: Iterator[tuple[int, str]], limit: int) -> Records:
    records = Records(list(_COLUMNS[kind]))
    prefixes = _HEADER_PREFIXES[kind]
    for number, line in numbered:
        if not line.strip():
            continue
        if kind == "vcf" and line.startswith("#CHROM"):
            records.columns = line.lstrip("#").split("\t")
            continue
        if line.startswith(prefixes) and not records.rows:
            if len(records.header) < MAX_HEADER_LINES:
                records.header.append(_cut(line))
            continue
        if len(records.rows) == limit:
            records.more = True
            return records
        fields = line.split("\t")
        minimum = {"sam": 11, "vcf": 8, "bed": 3, "gff": 9}[kind]
        if len(fields) < minimum:
            found = len(fields)
            records.problem = f"line {number} has {found} tab-separated fields; a {kind.upper()} record has {minimum}"
            return records
        if kind == "sam" and len(fields) > 11:
            fields = [*fields[:11], " ".join(fields[11:])]
        records.rows.append([_cut(value) for value in fields])
    return records
