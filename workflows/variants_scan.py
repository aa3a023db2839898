"""Read VCF text (plain, gzip/BGZF, bzip2) in large blocks and count its records with the
compiled kernel; build the summary (schema `latchlike.qc.variants/1`, docs/qc.md).

The header is read line by line here; data lines go to workflows/variants_kernel.py a block
(8 MiB) at a time, cut at the last newline, the unfinished line carried into the next block.
gzip is inflated by igzip in a thread of its own while the kernel (GIL released) counts the
previous block. Memory stays flat: two blocks, the dense QUAL and depth histograms, and
tables that grow only with the distinct CHROM and FILTER values. Flytekit-free, so
bench/qc.py times it in a bare process.
"""

from __future__ import annotations

import bz2
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, BinaryIO

import numpy as np
from isal import igzip_threaded

from workflows import variants_kernel as k
from workflows.qc_compression import compression
from workflows.qc_errors import QcInputError
from workflows.qc_gc import freeze_loaded
from workflows.variants_kernel import add
from workflows.variants_lines import TYPES, Tally, count_line

SCHEMA = "latchlike.qc.variants/1"
BLOCK = 8 << 20
READ = 1 << 20  # bytes asked of the stream at a time: a read that fails loses what it had read
NO_LOG = np.empty(0)  # QUAL values go straight into the sum


@contextmanager
def inflated(raw: BinaryIO) -> Iterator[tuple[BinaryIO, str]]:
    """The decompressed bytes of `raw` (read by content, never by name) and its compression."""
    head = raw.read(4)
    raw.seek(0)
    kind = compression(head)
    if kind == "zstd":
        raise QcInputError("zstd-compressed input is not supported: recompress it with gzip")
    if kind == "gzip":
        with igzip_threaded.open(raw, "rb", threads=1) as stream:
            yield stream, kind
    elif kind == "bzip2":
        with bz2.BZ2File(raw, mode="rb") as stream:
            yield stream, kind  # type: ignore[misc]
    else:
        yield raw, kind


_ONE_RECORD = (
    b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t1\t.\tA\tC,AT\t50\tPASS\tDP=3\n"
)


def load() -> None:
    """Load the compiled kernel now (from numba's disk cache). The task module calls it when
    imported, so the fork server, which imports it once and forks a process per task, loads
    it once (half of a 1 M-record run's CPU in a process of its own), not in every task."""
    variants_summary(io.BytesIO(_ONE_RECORD))


def variants_summary(
    stream: BinaryIO, *, bins: int = 30, first: bytes | None = None, block: int = BLOCK
) -> dict[str, Any]:
    """The statistics of the VCF text in `stream` (`first`: its first line, already read;
    `block`: bytes handed to the kernel at a time).
    Raises QcInputError naming the line where the input stops being VCF, or where a
    compressed stream ends early."""
    tally = Tally()
    header = _read_header(stream, tally, first)
    _scan(stream, tally, header, block)
    return summary(tally, bins)


def _read_header(stream: BinaryIO, tally: Tally, first: bytes | None) -> int:
    """Read the meta lines and the #CHROM line; their number."""
    number, line = 0, stream.readline() if first is None else first
    while line:
        number += 1
        if number == 1 and not line.startswith(b"##fileformat=VCF"):
            raise QcInputError("line 1: not VCF (no ##fileformat=VCF header line)")
        if line.startswith(b"#CHROM"):
            tally.samples = max(0, len(line.rstrip(b"\r\n").split(b"\t")) - 9)
            return number
        if not line.startswith(b"#"):
            raise QcInputError(f"line {number}: a record before the #CHROM header line")
        try:
            line = stream.readline()
        except EOFError as error:
            raise QcInputError(f"the compressed stream ends early (truncated?) after line {number:,}") from error
    if number == 0:
        raise QcInputError("line 1: the file is empty, not VCF")
    raise QcInputError(f"line {number}: the file ends before its #CHROM header line")


def _scan(stream: BinaryIO, tally: Tally, header: int, block: int) -> None:
    buf = np.empty(2 * block, dtype=np.uint8)
    held = 0  # bytes of an unfinished line carried at the front of buf
    base = 0  # offset in the (decompressed) stream of buf[0], from the first data line
    with ThreadPoolExecutor(max_workers=1) as helper:
        while True:
            end, eof, truncated = _fill(stream, buf, held)
            stop = _count_halves(buf, end, eof and not truncated, tally, header, helper)
            freeze_loaded()  # the kernel is loaded now
            if truncated:
                raise QcInputError(
                    f"the compressed stream ends early (truncated?) after line {header + tally.totals[k.LINES]:,}"
                    f" ({base + stop:,} bytes of records inflated)"
                )
            if eof:
                return
            held = end - stop
            if held == len(buf):  # one line longer than the buffer: make room
                buf = np.concatenate([buf, np.empty(len(buf), dtype=np.uint8)])
            buf[:held] = buf[stop:end]
            base += stop


def _count_halves(buf: np.ndarray, end: int, eof: bool, tally: Tally, header: int, helper: ThreadPoolExecutor) -> int:
    """`_count` on both cores: the second half of buf[:end] (from a line start) is counted on
    the helper thread into tables of its own while this thread counts the first half, then
    added after it in file order, so every statistic (the float QUAL sum too) comes out as
    one pass makes it. A line the kernel leaves to Python stops the helper there; the rest
    is counted here, after the first half, so it gets its line number."""
    newline = _find_newline(buf, end // 2, end)
    if newline + 1 >= end:
        return _count(buf, 0, end, eof, tally, header)
    mid = newline + 1
    second = helper.submit(_count_ahead, buf, mid, end, eof)
    try:
        _count(buf, 0, mid, False, tally, header)  # every line of the first half ends before mid
    finally:
        part, qual_log, status, where = second.result()
    _add(tally, part, qual_log)
    return where if status == k.OK else _count(buf, where, end, eof, tally, header)


def _count_ahead(buf: np.ndarray, start: int, end: int, eof: bool) -> tuple[Tally, np.ndarray, int, int]:
    """The kernel over buf[start:end] into a fresh tally, up to the first line it leaves to
    Python: (the tally, its QUAL values in order, status, where it stopped)."""
    part = Tally()
    c, f = part.chromosomes, part.filters
    qual_log = np.empty((end - start) // 12 + 1)
    while True:
        status, where = k.scan(
            buf, start, end, eof, part.totals, part.qual_sum, part.qual_hist, part.depth_hist,
            c.slots, c.order, c.meta, c.pool, f.slots, f.order, f.meta, f.pool, k.NO_ALT_BYTES, qual_log,
        )  # fmt: skip
        if status != k.FULL:
            return part, qual_log, status, int(where)
        c.grow()
        f.grow()
        start = where


def _add(tally: Tally, part: Tally, qual_log: np.ndarray) -> None:
    """Add the counts of a later part of the file."""
    tally.totals += part.totals
    tally.qual_hist += part.qual_hist
    tally.depth_hist += part.depth_hist
    logged = int(part.totals[k.RECORDS] - part.totals[k.QUAL_MISSING])
    # cumsum adds one value after another, as the kernel's own running sum does.
    tally.qual_sum[0] = np.cumsum(np.concatenate([tally.qual_sum, qual_log[:logged]]))[-1]
    for table, more in ((tally.chromosomes, part.chromosomes), (tally.filters, part.filters)):
        for value, n in more.items():
            add(table, value, n)


def _fill(stream: BinaryIO, buf: np.ndarray, held: int) -> tuple[int, bool, bool]:
    """Read until buf is full or the stream ends: (bytes in buf, ended, ended early)."""
    view = buf.data  # a memoryview of the array
    end = held
    while end < len(buf):
        try:
            got = stream.readinto(view[end : end + READ])  # type: ignore[attr-defined]
        except EOFError:  # igzip: the gzip stream stops before its end marker
            return end, True, True
        if not got:
            return end, True, False
        end += got
    return end, False, False


def _count(buf: np.ndarray, start: int, end: int, eof: bool, tally: Tally, header: int) -> int:
    """Count the lines of buf[start:end] (the last one too at eof); where the unfinished one starts."""
    c, f = tally.chromosomes, tally.filters
    while True:
        status, where = k.scan(
            buf, start, end, eof, tally.totals, tally.qual_sum, tally.qual_hist, tally.depth_hist,
            c.slots, c.order, c.meta, c.pool, f.slots, f.order, f.meta, f.pool, k.NO_ALT_BYTES, NO_LOG,
        )  # fmt: skip
        if status == k.OK:
            return int(where)
        if status == k.FULL:
            c.grow()
            f.grow()
        else:  # DEFER: Python counts this one line, or says what is wrong with it
            newline = _find_newline(buf, where, end)
            count_line(tally, header + int(tally.totals[k.LINES]) + 1, buf[where:newline].tobytes())
            where = newline + 1
        start = where


def _find_newline(buf: np.ndarray, start: int, end: int) -> int:
    found = buf[start:end].tobytes().find(b"\n")
    return end if found < 0 else start + found


def summary(tally: Tally, bins: int) -> dict[str, Any]:
    totals = tally.totals
    records, qual_missing = int(totals[k.RECORDS]), int(totals[k.QUAL_MISSING])
    filters: dict[str, int] = {}
    for column, n in tally.filters.items():
        for name in column.decode("utf-8", "replace").split(";"):
            filters[name] = filters.get(name, 0) + n
    source = {"info": int(totals[k.INFO_DP])} | ({"format": int(totals[k.FORMAT_DP])} if totals[k.FORMAT_DP] else {})
    depth_values, depth_counts = _values(tally.depth_hist, tally.depth_extra)
    depths = sum(depth_counts)
    with_qual = records - qual_missing
    ts, tv = int(totals[k.TS]), int(totals[k.TV])
    return {
        "schema": SCHEMA,
        "records": records,
        "samples": tally.samples,
        "types": {
            kind: int(totals[slot]) for kind, slot in zip((*TYPES, "no_alt"), (*k.KIND_SLOTS, k.NO_ALT), strict=True)
        },
        "multiallelic": int(totals[k.MULTI]),
        "multiallelic_snp": int(totals[k.MULTI_SNP]),
        "transitions": ts,
        "transversions": tv,
        "ts_tv": ts / tv if tv else None,
        "chromosomes": {name.decode("utf-8", "replace"): n for name, n in tally.chromosomes.items()},
        "filters": dict(sorted(filters.items(), key=lambda item: -item[1])),
        "qual": {
            "missing": qual_missing,
            "mean": float(tally.qual_sum[0]) / with_qual if with_qual else None,
            "histogram": histogram(*_values(tally.qual_hist, tally.qual_extra), bins),
        },
        "depth": {
            "source": source,
            "missing": records - sum(source.values()),
            "mean": sum(d * n for d, n in zip(depth_values, depth_counts, strict=True)) / depths if depths else None,
            "histogram": histogram(depth_values, depth_counts, bins),
        },
    }


def _values(dense: np.ndarray, extra: dict[int, int]) -> tuple[list[int], list[int]]:
    """(values, counts) of the values seen, from a dense histogram and its overflow."""
    seen = np.flatnonzero(dense)
    return seen.tolist() + list(extra), dense[seen].tolist() + list(extra.values())


def histogram(values: list[int], counts: list[int], bins: int) -> dict[str, list[int]]:
    """At most `bins` equal-width bins from the smallest value on: bin i holds the values
    from edges[i] up to but not including edges[i + 1] (as workflows/qc_fasta.py bins)."""
    if not values:
        return {"edges": [], "counts": []}
    low, high = min(values), max(values)
    width = max(1, -(-(high - low + 1) // bins))
    count = min(bins, -(-(high - low + 1) // width))
    binned = [0] * count
    for value, n in zip(values, counts, strict=True):
        binned[min((value - low) // width, count - 1)] += n
    return {"edges": [low + i * width for i in range(count + 1)], "counts": binned}
