"""A file's kind and compression come from its content; the name only settles a tie."""

from __future__ import annotations

import bz2
import gzip
import json
import struct
import zlib

import pytest

from latchlike.files.kinds import HEAD_BYTES, Detected, detect

FASTQ = b"@read1 1:N:0\nACGTNACGTA\n+\nIIIII#IIII\n@read2\nGGCCA\n+read2\n!!!!!\n"
FASTA = b">chr1 test\nACGTACGTNNACGT\nACGT\n>chr2\nGGGG\n"
SAM = b"@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:100\nr1\t0\tchr1\t1\t60\t4M\t*\t0\t0\tACGT\tIIII\n"
VCF = b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t5\t.\tA\tG\t50\tPASS\t.\n"
GFF = b"chr1\tsrc\tgene\t1\t100\t.\t+\t.\tID=g1\nchr1\tsrc\texon\t5\t50\t.\t+\t.\tParent=g1\n"
BED = b"chr1\t10\t20\tpeak1\nchr1\t30\t45\tpeak2\n"


def _bgzf(data: bytes) -> bytes:
    """One BGZF block and the empty end-of-file block, as bgzip writes them."""

    def block(payload: bytes) -> bytes:
        deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = deflate.compress(payload) + deflate.flush()
        header = (
            b"\x1f\x8b\x08\x04"
            + b"\x00" * 4
            + b"\x00\xff"
            + struct.pack("<H", 6)
            + b"BC"
            + struct.pack("<HH", 2, len(body) + 25)
        )
        return header + body + struct.pack("<II", zlib.crc32(payload), len(payload))

    return block(data) + block(b"")


# mtime=0: the gzip bytes are part of the test ids, which every xdist worker must collect alike.
@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (gzip.compress(FASTQ, mtime=0), "reads.txt", Detected("fastq", "gzip")),
        (FASTQ, "reads.csv", Detected("fastq", "none")),
        (bz2.compress(FASTA), "genome", Detected("fasta", "bzip2")),
        (SAM, "aln.sam", Detected("sam", "none")),
        (_bgzf(b"BAM\x01" + b"\x00" * 40), "aln", Detected("bam", "bgzf")),
        (_bgzf(VCF), "calls.vcf.gz", Detected("vcf", "bgzf")),
        (_bgzf(b"BCF\x02\x02" + b"\x00" * 20), "calls.bcf", Detected("bcf", "bgzf")),
        (b"CRAM\x03\x00" + b"\x00" * 20, "aln.cram", Detected("cram", "none")),
        (b"\x26\xfc\x8f\x88\x04\x00" + b"\x00" * 60, "signal.dat", Detected("bigwig", "none")),  # UCSC's magic
        (GFF, "genes.gtf", Detected("gff", "none")),
        (BED, "peaks", Detected("bed", "none")),
        (BED, "peaks.tsv", Detected("tsv", "none")),  # BED is a TSV too: the name settles it
        (b"sample,reads\nS1,r1.fq\nS2,r2.fq\n", "sheet.fastq", Detected("csv", "none")),  # the name cannot lie
        (json.dumps({"a": [1, 2]}).encode(), "meta", Detected("json", "none")),
        (b"<!DOCTYPE html><html><body>QC</body></html>", "report.txt", Detected("html", "none")),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "plot.dat", Detected("png", "none")),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "report", Detected("pdf", "none")),
        (b"just some notes\nabout a run\n", "notes", Detected("text", "none")),
        (b"\x00\x01\x02\xff\xfe", "blob.fastq", Detected("unknown", "none")),
        (b"\x28\xb5\x2f\xfd" + b"\x00" * 20, "reads.fastq.zst", Detected("unknown", "zstd")),
        (gzip.compress(FASTQ, mtime=0)[:-12], "cut.fq.gz", Detected("fastq", "gzip")),  # a truncated gzip is still read
        (b"\x1f\x8b\x08\x00garbage-not-deflate", "bad.gz", Detected("unknown", "gzip")),
        (b"", "empty.fastq", Detected("empty", "none")),
    ],
)
def test_content_decides_the_kind(content: bytes, name: str, expected: Detected) -> None:
    assert detect(content, complete=True, name=name) == expected


def test_a_head_cut_mid_record_is_judged_on_its_whole_lines() -> None:
    many = FASTQ * (HEAD_BYTES // len(FASTQ) + 10)
    assert detect(many[:HEAD_BYTES], complete=False, name="x") == Detected("fastq", "none")
    assert detect(gzip.compress(many)[:2000], complete=False, name="x") == Detected("fastq", "gzip")
