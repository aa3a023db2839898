"""Small SAM/BAM files built with pysam, with counts checked by hand (see test_alignments.py)."""

from __future__ import annotations

from pathlib import Path

import pysam

HEADER = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "chr1", "LN": 1000}, {"SN": "chr2", "LN": 500}]}
QUERY_OPS = (0, 1, 4, 7, 8)  # CIGAR M, I, S, =, X: the operations that consume the read's bases
# name, flag, reference id, position (0-based), MAPQ, CIGAR, mate reference id, mate position, template length
RECORDS = [
    ("r1", 99, 0, 100, 60, "50M", 0, 300, 250),  # read 1, properly paired
    ("r2", 0, 0, 150, 0, "30M20S", -1, -1, 0),  # unpaired
    ("r1", 147, 0, 300, 60, "50M", 0, 100, -250),  # read 2, properly paired
    ("r3", 65, 0, 400, 3, "50M", 1, 10, 0),  # read 1, mate on chr2, MAPQ < 5
    ("r4", 256, 0, 500, 0, "50M", -1, -1, 0),  # secondary
    ("r5", 1097, 0, 600, 30, "40M", -1, -1, 0),  # read 1, mate unmapped (a singleton), duplicate
    ("r3", 129, 1, 10, 20, "50M", 0, 400, 0),  # read 2, mate on chr1, MAPQ ≥ 5
    ("r6", 2048, 1, 100, 10, "20M", -1, -1, 0),  # supplementary
    ("r5", 133, -1, -1, 0, "", 0, 600, 0),  # read 2, unmapped
    ("r7", 516, -1, -1, 0, "", -1, -1, 0),  # unmapped, QC failed
]


def write(path: Path, records: list[tuple] = RECORDS, *, sort_order: str = "coordinate") -> Path:
    """The records as BAM (path ending .bam) or SAM, under the given header sort order."""
    header = pysam.AlignmentHeader.from_dict({**HEADER, "HD": {"VN": "1.6", "SO": sort_order}})
    mode = "wb" if path.suffix == ".bam" else "w"
    with pysam.AlignmentFile(str(path), mode, header=header) as out:
        for name, flag, ref, pos, mapq, cigar, mate_ref, mate_pos, tlen in records:
            segment = pysam.AlignedSegment(header)
            segment.query_name, segment.flag = name, flag
            segment.reference_id, segment.reference_start, segment.mapping_quality = ref, pos, mapq
            length = 50 if not cigar else sum(n for op, n in pysam.AlignedSegment.fromstring(
                f"x\t0\tchr1\t1\t0\t{cigar}\t*\t0\t0\t*\t*", header).cigartuples if op in QUERY_OPS)  # fmt: skip
            if cigar:
                segment.cigarstring = cigar
            segment.query_sequence = "A" * length
            segment.query_qualities = pysam.qualitystring_to_array("I" * length)
            segment.next_reference_id, segment.next_reference_start, segment.template_length = mate_ref, mate_pos, tlen
            out.write(segment)
    return path


def many(path: Path, pairs: int) -> Path:
    """A sorted BAM of `pairs` properly paired reads on chr1 (for truncation and timing)."""
    records = []
    for i in range(pairs):
        start = (i * 7) % 800
        records.append((f"p{i}", 99, 0, start, 60, "50M", 0, start + 100, 150))
    records.sort(key=lambda r: r[3])
    return write(path, records)
