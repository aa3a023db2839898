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
    rules = [Rule(regex="^[a-z]+$", message="lowercase"), Rule(regex=".{3,}", message="too short")]
    assert rule_failure(rules, "ab") == "too short"
    assert rule_failure(rules, "AB") == "lowercase"
    assert rule_failure(rules, "abc") is None


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("s3://bucket/run1/reads.fastq.gz", True),
        ("latch:///reads/r1.fq", True),
        ("r1.fastq.gz.md5", False),
        ("r1.bam", False),
        ("r1.fq\n", False),  # `$` is the very end, as in the browser
    ],
)
def test_rules_are_searched_as_latch_does(value: str, matches: bool) -> None:
    """The `latch init` template's rule asks for an ending, not for the whole value."""
    rule = Rule(regex="(.fastq|.fastq.gz|.fq|.fq.gz)$", message="a FASTQ file")
    assert (rule_failure([rule], value) is None) is matches
