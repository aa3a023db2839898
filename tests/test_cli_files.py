"""`latchlike files add/list`: how a person puts data where launch forms can pick it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from latchlike.files.catalog import StoreCatalog
from latchlike.store.local import LocalFileStore


def _latchlike(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "latchlike", "files", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "LATCHLIKE_DATA_DIR": str(data_dir)},
        check=False,
    )


def test_an_added_file_is_listed_and_offered_by_forms(tmp_path: Path) -> None:
    source = tmp_path / "reads.fastq.gz"
    source.write_bytes(b"\x1f\x8b fake gzip")
    added = _latchlike(tmp_path / "data", "add", str(source), "--path", "run1/reads.fastq.gz")
    assert added.returncode == 0, added.stderr
    uri = added.stdout.strip()
    assert uri.startswith("/") and uri.endswith("/files/flytesnacks/run1/reads.fastq.gz")
    listed = _latchlike(tmp_path / "data", "list")
    assert listed.stdout.split() == [str(len(b"\x1f\x8b fake gzip")), "run1/reads.fastq.gz"]
    catalog = StoreCatalog(LocalFileStore(tmp_path / "data" / "store"), "flytesnacks")
    assert [entry.uri for entry in catalog.candidates(directory=False, blob_format="fastq")] == [uri]


def test_a_path_escaping_the_project_folder_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "x.txt"
    source.write_text("x")
    refused = _latchlike(tmp_path / "data", "add", str(source), "--path", "../other/x.txt")
    assert refused.returncode == 1
    assert "is not a valid store key" in refused.stderr
    assert not (tmp_path / "data" / "store" / "files" / "other").exists()
