"""A restart on a big store: `reconcile` records objects a batch to a transaction, finds every
object once, and a kill -9 in the middle loses nothing (the next start finds the rest)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from latchlike.files.reconcile import BATCH, reconcile
from latchlike.files.tables import ManagedFileRow
from latchlike.platform import Platform
from latchlike.store.local import LocalFileStore
from latchlike.triggers.tables import TriggerRow
from tests.server import REPO

RECONCILE = """
import sys
from latchlike.db import Database
from latchlike.files.reconcile import reconcile
from latchlike.store import open_store
reconcile(Database(sys.argv[1]), open_store(sys.argv[2]))
"""


def _written_past_latchlike(platform: Platform, count: int) -> set[str]:
    """`count` small reads files put straight into the local store's project folder."""
    assert isinstance(platform.store, LocalFileStore)
    folder = platform.store.root / "files" / "lab" / "run"
    folder.mkdir(parents=True)
    for index in range(count):
        (folder / f"sample{index:05d}.fastq").write_bytes(f"@r{index}\nA\n+\nI\n".encode())
    return {f"run/sample{index:05d}.fastq" for index in range(count)}


def _files_and_triggers(platform: Platform) -> tuple[list[str], list[str]]:
    """The paths of the live file records, and of the QC triggers they asked for, with repeats."""
    with platform.db.session() as session:
        files = session.scalars(
            select(ManagedFileRow.path).where(ManagedFileRow.is_folder.is_(False), ManagedFileRow.trashed_at.is_(None))
        )
        return list(files), list(session.scalars(select(TriggerRow.path)))


def test_a_store_larger_than_a_batch_is_recorded_whole_and_once(platform: Platform) -> None:
    written = _written_past_latchlike(platform, BATCH * 2 + 7)
    assert reconcile(platform.db, platform.store).recorded == len(written)
    files, triggers = _files_and_triggers(platform)
    assert sorted(files) == sorted(triggers) == sorted(written)
    assert reconcile(platform.db, platform.store).recorded == 0  # the next start reads nothing again


@pytest.mark.slow
def test_a_reconcile_killed_mid_way_loses_nothing_and_the_next_records_the_rest(platform: Platform) -> None:
    written = _written_past_latchlike(platform, BATCH * 3)
    url = platform.settings.resolved_database_url
    assert isinstance(platform.store, LocalFileStore)
    command = [sys.executable, "-c", RECONCILE, url, platform.store.root.as_uri()]
    process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 120
        while _count(platform) == 0:  # the first batch committed: kill it while it writes the next
            assert process.poll() is None and time.monotonic() < deadline, "reconcile ended before a batch landed"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    committed = _count(platform)
    assert 0 < committed < len(written)  # killed mid-way, whole batches only
    assert committed % BATCH == 0
    assert reconcile(platform.db, platform.store).recorded == len(written) - committed
    files, triggers = _files_and_triggers(platform)
    assert sorted(files) == sorted(triggers) == sorted(written)


def _count(platform: Platform) -> int:
    with platform.db.session() as session:
        return session.scalar(select(func.count()).select_from(TriggerRow)) or 0
