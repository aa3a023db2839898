"""A directory an execution wrote becomes the project's own files at the chosen path, on
both stores: new objects with checksums and kinds, recorded with the execution that wrote
them, the task's objects left as they were."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from latchlike.errors import Conflict, InvalidArgument, PermissionDenied
from latchlike.files import service
from latchlike.files.written import record_directory
from latchlike.platform import Platform
from latchlike.store import FileStore
from latchlike.store.local import LocalFileStore

TASK_DIR = "executions/lab/development/run1/n0/0/raw/abc/results"
WROTE = {"summary.csv": b"sample,reads\nS1,3\n", "qc/S1.fastq": b"@r1\nACGT\n+\nIIII\n"}
BY = "lab/development/run1"


def _task_wrote(store: FileStore, tmp_path: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        source = tmp_path / "written"
        source.write_bytes(data)
        store.put_file(f"{TASK_DIR}/{name}", source)


def _record(platform: Platform, store: FileStore, path: str) -> list[str]:
    with platform.db.session() as session:
        rows = record_directory(session, store, "lab", path, TASK_DIR, written_by=BY, uploaded_by="alice",
                                staging_dir=platform.staging_dir)  # fmt: skip
        return sorted(row.path for row in rows)


def test_a_written_directory_becomes_managed_files_with_who_wrote_them(
    platform: Platform, store: FileStore, tmp_path: Path
) -> None:
    _task_wrote(store, tmp_path, WROTE)
    assert _record(platform, store, "results/run1") == ["results/run1/qc/S1.fastq", "results/run1/summary.csv"]
    with platform.db.session() as session:
        for name, data in WROTE.items():
            row = service.get(session, "lab", f"results/run1/{name}")
            assert (row.written_by, row.uploaded_by, row.size) == (BY, "alice", len(data))
            assert row.sha256 == hashlib.sha256(data).hexdigest() and row.key is not None
            assert b"".join(store.stream(row.key)) == data
            if isinstance(store, LocalFileStore):
                assert stat.S_IMODE((store.root / row.key).stat().st_mode) == 0o444
        assert service.get(session, "lab", "results/run1/qc/S1.fastq").kind == "fastq"
        assert [entry.name for entry in service.list_folder(session, "lab", "results/run1").entries] == [
            "qc", "summary.csv"]  # fmt: skip
    assert sorted(item.key for item in store.list(TASK_DIR + "/")) == sorted(f"{TASK_DIR}/{n}" for n in WROTE)
    assert list(platform.staging_dir.iterdir()) == []


def test_a_second_run_replaces_its_files_and_an_empty_directory_is_a_folder(
    platform: Platform, store: FileStore, tmp_path: Path
) -> None:
    _task_wrote(store, tmp_path, {"summary.csv": b"old\n"})
    _record(platform, store, "results")
    _task_wrote(store, tmp_path, {"summary.csv": b"new\n"})
    _record(platform, store, "results")
    with platform.db.session() as session:
        row = service.get(session, "lab", "results/summary.csv")
        assert row.key is not None and b"".join(store.stream(row.key)) == b"new\n"
    with platform.db.session() as session:
        record_directory(session, store, "lab", "empty", "executions/none", written_by=BY, uploaded_by="alice",
                         staging_dir=platform.staging_dir)  # fmt: skip
        assert service.get(session, "lab", "empty").is_folder


def test_no_directory_is_recorded_into_the_outputs_folder_or_a_bad_path(
    platform: Platform, store: FileStore, tmp_path: Path
) -> None:
    _task_wrote(store, tmp_path, WROTE)
    with pytest.raises(PermissionDenied):
        _record(platform, store, ".executions/run1")
    with pytest.raises(InvalidArgument):
        _record(platform, store, "../run1")
    with platform.db.session() as session:
        assert service.list_folder(session, "lab", "").entries == []


def test_a_directory_that_does_not_fit_changes_nothing(platform: Platform, store: FileStore, tmp_path: Path) -> None:
    """`results/summary.csv` would be replaced before `results/zz` met a file: refused first."""
    _task_wrote(store, tmp_path, {"summary.csv": b"old\n"})
    _record(platform, store, "results")
    _task_wrote(store, tmp_path, {"summary.csv": b"new\n", "zz": b"a file named zz\n"})
    _record(platform, store, "results")
    _task_wrote(store, tmp_path, {"summary.csv": b"newer\n"})
    store.delete(f"{TASK_DIR}/zz")
    source = tmp_path / "zz"
    source.write_bytes(b"@r1\nACGT\n+\nIIII\n")
    store.put_file(f"{TASK_DIR}/zz/S1.fastq", source)
    with pytest.raises(Conflict, match="'results/zz' is a file"), platform.db.session() as session:
        record_directory(session, store, "lab", "results", TASK_DIR, written_by=BY, uploaded_by="alice",
                         staging_dir=platform.staging_dir)  # fmt: skip
    with platform.db.session() as session:
        row = service.get(session, "lab", "results/summary.csv")
        assert row.key is not None and b"".join(store.stream(row.key)) == b"new\n"
        assert row.sha256 == hashlib.sha256(b"new\n").hexdigest()
