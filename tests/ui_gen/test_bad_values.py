"""Values no workflow can take are field errors (422), never a server error: ints past 64
bits, text with a lone surrogate (JSON can carry one; protobuf cannot store it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from latchlike.files.catalog import StoreCatalog
from latchlike.launches.forms import LaunchForm
from latchlike.launches.service import launch_from_form, launch_from_json
from latchlike.platform import Platform
from tests.ui_gen.files import put_managed_file

PROJECT = "flytesnacks"


@pytest.fixture
def required(platform: Platform, tmp_path: Path) -> dict[str, object]:
    reads = put_managed_file(platform.store, PROJECT, "r/reads.fastq.gz", b"@r\nACGT\n+\nIIII\n", tmp_path)
    s1 = put_managed_file(platform.store, PROJECT, "r/s1.fq", b"@s1\nA\n+\nI\n", tmp_path)
    return {"run_name": "r", "threads": 1, "reads": reads, "trimming": {"adapter": "A"},
            "samples": [{"sample": "S", "fastq": s1}]}  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"lanes": [2**64]}, "lanes.0", "less than or equal to 9223372036854775807"),
        ({"lanes": [-(2**63) - 1]}, "lanes.0", "greater than or equal to -9223372036854775808"),
        ({"notes": "bad \ud800 text"}, "notes", "lone surrogate"),
        ({"tags": {"\udc80": 1.0}}, "tags.0.key", "lone surrogate"),
    ],
)
def test_json_values_no_literal_can_hold_are_field_errors(
    platform: Platform, matrix: LaunchForm, required: dict[str, object], extra: dict[str, object], field: str,
    message: str,
) -> None:  # fmt: skip
    catalog = StoreCatalog(platform.store, PROJECT)
    with platform.db.session() as session:
        result = launch_from_json(session, matrix, required | extra, catalog)
    assert result.execution is None
    assert message in result.errors.get(field, ""), result.errors


def test_a_form_int_past_64_bits_is_a_field_error(
    platform: Platform, matrix: LaunchForm, required: dict[str, object]
) -> None:
    catalog = StoreCatalog(platform.store, PROJECT)
    flat = {"run_name": ["r"], "threads": ["1"], "reads": [str(required["reads"])], "trimming.adapter": ["A"],
            "samples.0.sample": ["S"], "samples.0.fastq": [str(required["samples"][0]["fastq"])],  # type: ignore[index]
            "lanes.0": [str(2**70)]}  # fmt: skip
    with platform.db.session() as session:
        result = launch_from_form(session, matrix, flat, catalog)
    assert result.execution is None
    assert "less than or equal to 9223372036854775807" in result.errors["lanes.0"], result.errors
