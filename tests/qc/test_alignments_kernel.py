"""The compiled BAM walk (workflows/bam_scan.py) on the cases a hand-rolled reader gets
wrong: records straddling BGZF blocks and inflate batches, unmapped reads without a
reference, an empty BAM, a stream cut inside a record, corrupt fields. Its counts are
checked against pysam's reading of the same records as SAM text; CRAM (read by pysam)
against the BAM of the same reads."""

from __future__ import annotations

import gzip
import random
import struct
import zlib
from pathlib import Path

import pysam
import pytest

from tests.qc import alignment_fixtures as fixtures
from workflows import bam_scan
from workflows.alignment_stats import COUNTS, AlignmentInputError, alignment_summary

EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
NOT_COMPARED = ("format", "indexed", "not_indexed_because")


def inflate(bam: Path) -> bytes:
    """The BAM's decompressed stream (gzip reads BGZF's concatenated members)."""
    return gzip.decompress(bam.read_bytes())


def bgzf(data: bytes, block: int, *, eof: bool = True) -> bytes:
    """`data` as BGZF blocks of `block` uncompressed bytes: unlike htslib's writer, which
    starts a record in a new block when it can, these cut records anywhere."""
    out = bytearray()
    for at in range(0, len(data), block):
        piece = data[at : at + block]
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = packer.compress(piece) + packer.flush()
        out += b"\x1f\x8b\x08\x04\0\0\0\0\0\xff\x06\0BC\x02\0" + struct.pack("<H", len(body) + 25)
        out += body + struct.pack("<II", zlib.crc32(piece), len(piece))
    return bytes(out + (EOF_BLOCK if eof else b""))


def random_records(n: int, seed: int) -> list[tuple]:
    """Sorted records with every flag bit, both references, unmapped tails and varied CIGARs."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        flag = rng.getrandbits(12) & ~0x4
        ref, pos = rng.choice((0, 1)), rng.randrange(0, 400)
        cigar = rng.choice(("50M", "20M5I25M", "10S30=10X", "45M5S", "3X47="))  # all consume the query
        mate_ref = rng.choice((-1, 0, 1))
        mate_pos = rng.randrange(0, 400) if mate_ref >= 0 else -1
        mapq = rng.randrange(0, 256 if rng.random() < 0.9 else 61)
        records.append((f"q{i}", flag, ref, pos, mapq, cigar, mate_ref, mate_pos, rng.randrange(-3000, 3000)))
    records.sort(key=lambda r: (r[2], r[3]))
    unmapped = [(f"u{i}", 0x4 | rng.choice((0, 0x1 | 0x8 | 0x40, 0x200)), -1, -1, 0, "", -1, -1, 0) for i in range(9)]
    return records + unmapped


def same(a: dict, b: dict) -> bool:
    return {k: v for k, v in a.items() if k not in NOT_COMPARED} == {
        k: v for k, v in b.items() if k not in NOT_COMPARED
    }


def test_random_records_count_as_pysam_counts_them_with_records_straddling_blocks_and_batches(
    tmp_path: Path,
) -> None:
    records = random_records(3000, seed=7)
    bam, sam = fixtures.write(tmp_path / "r.bam", records), fixtures.write(tmp_path / "r.sam", records)
    reference = alignment_summary(str(sam), max_insert=2000)
    assert reference["total"] == 3009 and reference["insert_sizes"]["pairs"] > 0
    assert same(alignment_summary(str(bam), max_insert=2000), reference)
    # 333-byte blocks: nearly every record starts in one block and ends in the next.
    small = tmp_path / "small-blocks.bam"
    small.write_bytes(bgzf(inflate(bam), 333))
    assert same(alignment_summary(str(small), max_insert=2000), reference)
    # And a batch far smaller than a record: the kernel's carry-over, one block at a time.
    with small.open("rb") as raw:
        tallies = bam_scan.scan(raw, ["chr1", "chr2"], 2000, batch=100)
    assert list(tallies.counts) == [reference[k] for k in COUNTS]
    assert tallies.unsorted_at is None


def test_unmapped_reads_without_a_reference_count_and_a_mapped_read_after_them_is_out_of_order(
    tmp_path: Path,
) -> None:
    only_unmapped = [(f"u{i}", 4, -1, -1, 0, "", -1, -1, 0) for i in range(5)]
    s = alignment_summary(str(fixtures.write(tmp_path / "u.bam", only_unmapped)))
    assert (s["total"], s["mapped"], s["mapq_histogram"], s["indexed"]) == (5, 0, [], True)
    assert [c["reads"] for c in s["contigs"]] == [0, 0]
    mixed = [*only_unmapped[:2], ("m1", 0, 0, 10, 60, "50M", -1, -1, 0)]
    s = alignment_summary(str(fixtures.write(tmp_path / "m.bam", mixed)))
    assert s["not_indexed_because"] == "not sorted by coordinate: record 3 (m1) comes before the one above it"


def test_an_empty_bam_has_zero_counts_and_null_percentages(tmp_path: Path) -> None:
    s = alignment_summary(str(fixtures.write(tmp_path / "empty.bam", [])))
    assert (s["total"], s["mapped_percent"], s["mapq_histogram"], s["insert_sizes"]["median"]) == (0, None, [], None)
    assert s["contigs"][0] == {"name": "chr1", "length": 1000, "reads": 0, "aligned_bases": 0, "mean_depth": 0.0}


def test_a_stream_ending_inside_a_record_fails_saying_after_which_record(tmp_path: Path) -> None:
    data = inflate(fixtures.write(tmp_path / "a.bam"))
    cut = tmp_path / "cut.bam"
    cut.write_bytes(bgzf(data[:-30], 500))  # whole blocks and the EOF block, but the last record cut short
    with pytest.raises(AlignmentInputError, match=r"^unreadable after record 9 \(last read r5 at no reference\): "
                                                   r"the last record is incomplete$"):  # fmt: skip
        alignment_summary(str(cut))


def test_a_block_cut_short_fails_saying_after_which_record(tmp_path: Path) -> None:
    data = bgzf(inflate(fixtures.write(tmp_path / "a.bam")), 400, eof=False)
    cut = tmp_path / "cut.bam"
    cut.write_bytes(data[:-100])
    with pytest.raises(AlignmentInputError, match=r"unreadable after record \d \(last read r\d at chr\d:\d+\): "
                                                   r"truncated file: the last BGZF block is cut short"):  # fmt: skip
        alignment_summary(str(cut))


@pytest.mark.parametrize(
    ("offset", "value", "problem"),
    [(0, 8, "a record's block_size does not fit its fields"),
     (4, 7, "a record names a reference the header does not have")],
)  # fmt: skip
def test_a_corrupt_record_fails_naming_the_field(tmp_path: Path, offset: int, value: int, problem: str) -> None:
    data = bytearray(inflate(fixtures.write(tmp_path / "a.bam")))
    third = _record_offsets(bytes(data))[2]
    data[third + offset : third + offset + 4] = struct.pack("<i", value)
    bad = tmp_path / "bad.bam"
    bad.write_bytes(bgzf(bytes(data), 65_000))
    with pytest.raises(
        AlignmentInputError, match=rf"^unreadable after record 2 \(last read r2 at chr1:151\): {problem}$"
    ):
        alignment_summary(str(bad))


def _record_offsets(data: bytes) -> list[int]:
    at = 8 + struct.unpack_from("<i", data, 4)[0]
    n_ref = struct.unpack_from("<i", data, at)[0]
    at += 4
    for _ in range(n_ref):
        at += 8 + struct.unpack_from("<i", data, at)[0]
    offsets = []
    while at < len(data):
        offsets.append(at)
        at += 4 + struct.unpack_from("<i", data, at)[0]
    return offsets


def test_a_cram_of_the_same_reads_gives_the_bam_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REF_PATH", str(tmp_path / "no-cache"))  # never ask EBI's reference server
    monkeypatch.setenv("REF_CACHE", str(tmp_path / "no-cache"))
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr1\n" + "A" * 1000 + "\n>chr2\n" + "A" * 500 + "\n")
    pysam.faidx(str(fasta))
    bam, cram = fixtures.write(tmp_path / "a.bam"), tmp_path / "a.cram"
    with (
        pysam.AlignmentFile(str(bam)) as source,
        pysam.AlignmentFile(str(cram), "wc", template=source, reference_filename=str(fasta),
                            format_options=[b"embed_ref=1"]) as out,
    ):  # fmt: skip
        for record in source.fetch(until_eof=True):
            out.write(record)
    from_cram, from_bam = alignment_summary(str(cram)), alignment_summary(str(bam))
    assert (from_cram["format"], from_cram["indexed"], from_cram["not_indexed_because"]) == ("CRAM", True, None)
    assert same(from_cram, from_bam)


@pytest.mark.parametrize(
    ("part", "problem"),
    [("crc", "CRC check failed"), ("isize", "Incorrect length"), ("data", "Error -1 Invalid deflate block")],
)
def test_a_damaged_block_fails_saying_after_which_record(tmp_path: Path, part: str, problem: str) -> None:
    """Blocks are inflated many at a time, on other threads: a bad one still fails in its turn,
    after the records of the blocks before it."""
    data = bgzf(inflate(fixtures.many(tmp_path / "a.bam", 3000)), 60_000)
    blocks = _block_offsets(data)
    end = blocks[3] - 8  # the footer of the third block: CRC32, then ISIZE
    bad = bytearray(data)
    if part == "crc":
        bad[end] ^= 0xFF
    elif part == "data":
        bad[blocks[2] + 18 : blocks[2] + 26] = b"\xff" * 8  # the start of its deflate stream
    else:
        bad[end + 4 : end + 8] = struct.pack("<I", struct.unpack_from("<I", data, end + 4)[0] - 1)
    (tmp_path / "bad.bam").write_bytes(bad)
    with (
        (tmp_path / "bad.bam").open("rb") as raw,
        pytest.raises(bam_scan.BamDataError, match=f"^a BGZF block does not inflate: {problem}") as caught,
    ):
        bam_scan.scan(raw, ["chr1", "chr2"], 1000, batch=60_000)  # one block a batch
    assert 0 < caught.value.records < 3000 and caught.value.where.startswith(" (last read p")


def test_many_batches_in_flight_over_many_small_reads_count_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads smaller than a batch: a batch's blocks then come from several reads of the file."""
    bam = fixtures.many(tmp_path / "a.bam", 3000)
    reference = alignment_summary(str(bam))
    monkeypatch.setattr(bam_scan, "READ", 1000)
    with bam.open("rb") as raw:
        tallies = bam_scan.scan(raw, ["chr1", "chr2"], 1000, batch=50_000)
    assert list(tallies.counts) == [reference[k] for k in COUNTS] and tallies.counts[0] == 3000


def _block_offsets(data: bytes) -> list[int]:
    offsets, at = [], 0
    while at < len(data):
        offsets.append(at)
        at += struct.unpack_from("<H", data, at + 16)[0] + 1
    return offsets
