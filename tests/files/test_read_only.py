"""Stored files are never changed in place: on the local store every object is read-only
(0444) and replaced only by a new object renamed over it; a real flytekit task that opens
its managed input for writing fails, and the stored file stays as it was. As root (which
ignores file modes) each task process sees the store's input-only folders read-only."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2

from latchlike.config import Settings
from latchlike.engine.executors import TaskRun
from latchlike.engine.executors.choice import build_executor
from latchlike.engine.executors.local import LocalExecutor
from latchlike.files import service
from latchlike.files.staging import StagedFile
from latchlike.platform import Platform, open_platform
from latchlike.store.local import LocalFileStore
from tests.engine.running import launch, run_until_done

READS = b"@r1\nACGT\n+\nIIII\n"
IS_ROOT = os.geteuid() == 0


def _put(platform: Platform, path: str, data: bytes) -> str:
    staged = StagedFile(platform.staging_dir)
    staged.write(data)
    staged.finish()
    with platform.db.session() as session:
        row, _ = service.put(session, platform.store, "flytesnacks", path, staged)
        assert row.key is not None
        return row.key


def _mode(store: LocalFileStore, key: str) -> int:
    return stat.S_IMODE((store.root / key).stat().st_mode)


def test_objects_are_read_only_and_replaced_by_a_new_object_never_truncated(platform: Platform) -> None:
    store = platform.store
    assert isinstance(store, LocalFileStore)
    key = _put(platform, "runs/reads.fastq", READS)
    assert _mode(store, key) == 0o444
    with store.open(key) as reader:  # a task still reading the old object when a new one is put
        _put(platform, "runs/reads.fastq", b"@r2\nTTTT\n+\nIIII\n")
        assert reader.read() == READS
    assert b"".join(store.stream(key)) == b"@r2\nTTTT\n+\nIIII\n" and _mode(store, key) == 0o444


def test_the_server_still_moves_trashes_restores_and_purges_read_only_objects(platform: Platform) -> None:
    store = platform.store
    assert isinstance(store, LocalFileStore)
    _put(platform, "runs/a/reads.fastq", READS)
    with platform.db.session() as session:
        moved = service.move(session, store, "flytesnacks", "runs/a", "runs/b")
        assert moved.path == "runs/b"
    assert _mode(store, "files/flytesnacks/runs/b/reads.fastq") == 0o444
    with platform.db.session() as session:
        service.trash(session, store, "flytesnacks", "runs/b")
    with platform.db.session() as session:
        service.restore(session, store, "flytesnacks", "runs/b")
    assert _mode(store, "files/flytesnacks/runs/b/reads.fastq") == 0o444
    with platform.db.session() as session:
        service.purge(session, store, "flytesnacks", "runs")
    assert store.list("files/flytesnacks/") == [] and store.list("trash/flytesnacks/") == []


def test_objects_an_older_version_left_writable_are_made_read_only_on_start(data_dir: Path) -> None:
    old = data_dir / "store" / "files" / "flytesnacks" / "old" / "reads.fastq"
    old.parent.mkdir(parents=True)
    old.write_bytes(READS)
    platform = open_platform(Settings(data_dir=data_dir, register_builtin_workflows=False))
    try:
        assert stat.S_IMODE(old.stat().st_mode) == 0o444
        with platform.db.session() as session:  # and recorded, as before
            assert service.get(session, "flytesnacks", "old/reads.fastq").size == len(READS)
    finally:
        platform.db.dispose()


@pytest.mark.skipif(IS_ROOT, reason="root ignores file modes: the mount namespace stops root's tasks (below)")
def test_a_read_only_object_refuses_a_write_from_another_process_of_the_user(platform: Platform) -> None:
    store = platform.store
    assert isinstance(store, LocalFileStore)
    key = _put(platform, "reads.fastq", READS)
    with pytest.raises(PermissionError):
        (store.root / key).open("w")


@pytest.mark.skipif(not IS_ROOT, reason="only root gets a mount namespace per task (others: file modes)")
def test_without_a_mount_namespace_the_executor_warns_once_and_runs_tasks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A folder that cannot be mounted stands for a machine without CAP_SYS_ADMIN."""
    with caplog.at_level(logging.WARNING):
        executor = LocalExecutor(tmp_path, max_parallel=1, read_only=[tmp_path / "missing"])
    (warning,) = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert "without a mount namespace per task" in warning and "missing" in warning
    run = TaskRun("k", (sys.executable, "-c", "print('ran')"), {}, None)
    result = asyncio.run(executor.run(run))
    assert result.exit_code == 0 and "ran" in executor.log("k")


@pytest.mark.slow
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_task_that_rewrites_its_managed_input_fails_and_the_file_is_unchanged(
    registered: Platform, warm: bool
) -> None:
    """The real wiring: the executor the settings build, a real flytekit task process. Runs
    as root too: there the task's mount namespace, not the file mode, refuses the write."""
    key = _put(registered, "runs/reads.fastq", READS)
    uri = registered.store.uri(key)
    settings = registered.settings.model_copy(update={"warm_start": warm})

    tampered = run_until_done(
        registered, launch(registered, "pipelines.tamper.tamper", {"reads": uri}),
        executor=build_executor(settings, registered.store),
    )  # fmt: skip
    assert tampered.phase == "FAILED"
    assert tampered.error is not None
    assert ("Read-only file system" if IS_ROOT else "Permission denied") in tampered.error, tampered.error
    assert b"".join(registered.store.stream(key)) == READS

    # The task's own outputs are still written (elsewhere in the store).
    transformed = run_until_done(
        registered, launch(registered, "pipelines.tamper.transform", {"reads": uri}),
        executor=build_executor(settings, registered.store),
    )  # fmt: skip
    assert transformed.phase == "SUCCEEDED", transformed.error
    assert transformed.outputs is not None
    written = literals_pb2.LiteralMap.FromString(transformed.outputs).literals["o0"].scalar.blob.uri
    assert Path(written).read_bytes() == READS.upper()
    assert b"".join(registered.store.stream(key)) == READS
