"""The file picker's candidates: a name the store cannot address is left out, not an error."""

from __future__ import annotations

from pathlib import Path

from latchlike.files.catalog import StoreCatalog
from latchlike.platform import Platform
from tests.ui_gen.files import put_managed_file


def test_a_file_named_with_a_space_does_not_break_the_picker(platform: Platform, tmp_path: Path) -> None:
    reads = put_managed_file(platform.store, "flytesnacks", "runs/reads.fastq", b"@r\nA\n+\nI\n", tmp_path)
    by_hand = platform.settings.data_dir / "store" / "files" / "flytesnacks" / "runs" / "my reads.fastq"
    by_hand.write_bytes(b"@r\nA\n+\nI\n")
    catalog = StoreCatalog(platform.store, "flytesnacks")
    files = catalog.candidates(directory=False, blob_format="")
    assert [entry.uri for entry in files] == [reads]
    folders = catalog.candidates(directory=True, blob_format="")
    assert [entry.path for entry in folders] == ["runs"]
