from __future__ import annotations

import pytest

from ui_gen.metadata import Rule
from ui_gen.rules import matches_format, rule_failure


@pytest.mark.parametrize(
    ("name", "blob_format", "expected"),
    [
        ("reads.fastq", "fastq", True),
        ("reads.FQ.GZ", "fastq", True),
        ("reads.fastq.bz2", "fastq", True),
        ("genome.fa", "fasta", True),
        ("table.csv", "fastq", False),
        ("archive.gz", "fastq", False),
        ("anything.bin", "", True),
        ("calls.vcf.gz", "vcf", True),
        ("calls.bcf", "vcf", False),
        ("notes.md", "md", True),
    ],
)
def test_blob_formats_match_by_extension_under_compression(name: str, blob_format: str, expected: bool) -> None:
    assert matches_format(name, blob_format) is expected


def test_the_first_failing_rule_speaks() -> None:
    rules = [Rule(regex="[a-z]+", message="lowercase"), Rule(regex=".{3,}", message="too short")]
    assert rule_failure(rules, "ab") == "too short"
    assert rule_failure(rules, "AB") == "lowercase"
    assert rule_failure(rules, "abc") is None
