"""The threaded FASTQ reader: record-aligned blocks scanned out of order by two threads give
the tables of one serial pass, and errors (a truncated gzip too) still name where."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import numpy as np
import pytest

from workflows import fastq_stats as k
from workflows.fastq_scan import FastqError, blocks, scan_bytes, scan_file


def _reads(count: int, seed: int = 5, crlf: bool = False) -> bytes:
    """Reads of 1 to 400 bases, some qualities opening with '@' (a header look-alike), one
    read of 5,000 bases (longer than the small blocks), Ns and lower case."""
    rng = np.random.default_rng(seed)
    eol = "\r\n" if crlf else "\n"
    records = []
    for i in range(count):
        n = 5000 if i == count // 2 else int(rng.integers(1, 400))
        seq = "".join(rng.choice(list("ACGTNacgt"), n))
        qual = "".join(chr(c) for c in rng.integers(33, 75, n))
        if i % 3 == 0:
            qual = "@" + qual[1:]
        records.append(f"@r{i} x{eol}{seq}{eol}+{eol}{qual}{eol}")
    return "".join(records).encode()


def _record_starts(data: bytes) -> list[int]:
    lines = data.split(b"\n")
    starts, offset = [], 0
    for number, line in enumerate(lines):
        if number % 4 == 0 and line:
            starts.append(offset)
        offset += len(line) + 1
    return starts


@pytest.mark.parametrize("block", [100, 1000, 65_536])
def test_blocks_cut_at_record_starts_and_cover_the_stream(block: int) -> None:
    data = _reads(300)
    starts = set(_record_starts(data))
    pieces = []
    for one in blocks(io.BytesIO(data), block):
        assert one.base in starts or one.base == 0
        assert one.eof or one.base + one.cut in starts
        pieces.append(one.buf[: one.cut].tobytes())
        assert one.buf[: one.end].tobytes() == data[one.base : one.base + one.end]
    assert b"".join(pieces) == data


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("block", [100, 1000, 65_536])
def test_threaded_blocks_give_the_tables_of_one_pass(block: int, crlf: bool) -> None:
    data = _reads(300, crlf=crlf)
    whole = scan_bytes(data, block=len(data) + 1)
    tables = scan_bytes(data, block=block)
    assert int(tables["counts"][k.READS]) == 300
    for name, table in whole.items():
        assert np.array_equal(table, tables[name]), name


@pytest.mark.parametrize("block", [100, 1000, 65_536])
def test_a_truncated_gzip_names_the_record_and_offset(tmp_path: Path, block: int) -> None:
    data = _reads(2000)
    packed = gzip.compress(data)
    cut = tmp_path / "cut.fastq.gz"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    with pytest.raises(FastqError) as failed:
        scan_file(cut, block=block)
    message = str(failed.value)
    found = re.search(r"record ([\d,]+) \(at decompressed byte offset ([\d,]+)\) is incomplete", message)
    assert message.startswith("cut.fastq.gz: the gzip data is truncated (") and found, message
    record, offset = (int(g.replace(",", "")) for g in found.groups())
    starts = _record_starts(data)
    assert 0 < offset < len(data) * 2 // 3 + 1000
    assert starts[record - 1] == offset


def test_garbage_fails_at_its_first_byte_without_reading_it_all() -> None:
    data = b"this is not a FASTQ file\n" * 1000
    with pytest.raises(FastqError, match=re.escape("record 1 (at byte offset 0): the header line")):
        scan_bytes(data, block=100)


@pytest.mark.parametrize("block", [100, 1000])
def test_an_error_past_a_long_record_names_its_record(block: int) -> None:
    data = _reads(300)
    starts = _record_starts(data)
    broken = data[: starts[200]] + b"bad header\n" + data[starts[200] + 1 :]
    match = re.escape(f"record 201 (at byte offset {starts[200]:,}): the header line")
    with pytest.raises(FastqError, match=match):
        scan_bytes(broken, block=block)


def test_a_gzip_of_many_members_reads_as_one_stream(tmp_path: Path) -> None:
    data = _reads(400)
    members = tmp_path / "members.fastq.gz"
    members.write_bytes(b"".join(gzip.compress(data[i : i + 7777]) for i in range(0, len(data), 7777)))
    tables, whole = scan_file(members, block=1000), scan_bytes(data)
    for name, table in whole.items():
        assert np.array_equal(table, tables[name]), name


@pytest.mark.parametrize("block", [100, 1000, 65_536])
def test_a_mapped_plain_file_gives_the_tables_of_one_pass(tmp_path: Path, block: int) -> None:
    data = _reads(300, crlf=block == 1000)
    plain = tmp_path / "reads.fastq"
    plain.write_bytes(data)
    tables, whole = scan_file(plain, block=block), scan_bytes(data, block=len(data) + 1)
    for name, table in whole.items():
        assert np.array_equal(table, tables[name]), name


@pytest.mark.parametrize("block", [100, 1000])
def test_a_mapped_plain_file_names_the_bad_record(tmp_path: Path, block: int) -> None:
    data = _reads(300)
    starts = _record_starts(data)
    plain = tmp_path / "bad.fastq"
    plain.write_bytes(data[: starts[150]] + b"bad header\n" + data[starts[150] + 1 :])
    match = re.escape(f"bad.fastq: malformed FASTQ at record 151 (at byte offset {starts[150]:,}): the header")
    with pytest.raises(FastqError, match=match):
        scan_file(plain, block=block)


def test_a_gzip_may_end_in_zero_padding_but_not_in_garbage(tmp_path: Path) -> None:
    data = _reads(50)
    padded, garbage = tmp_path / "padded.fastq.gz", tmp_path / "garbage.fastq.gz"
    padded.write_bytes(gzip.compress(data) + b"\0" * 100)
    garbage.write_bytes(gzip.compress(data) + b"this is no gzip member at all\n" * 10)
    assert int(scan_file(padded)["counts"][k.READS]) == 50
    match = (
        re.escape("garbage.fastq.gz: the gzip data is truncated (corrupt compressed data: ")
        + ".*"
        + re.escape(f"it ends after {len(data):,} decompressed bytes, 50 whole records")
    )
    with pytest.raises(FastqError, match=match):
        scan_file(garbage)
