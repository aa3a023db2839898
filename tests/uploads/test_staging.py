"""Nothing a killed upload staged is left behind: cleared on start, aged out by later uploads."""

from __future__ import annotations

import os
import time
from pathlib import Path

from latchlike.config import Settings
from latchlike.platform import open_platform
from latchlike.uploads.service import clean_staging


def test_start_clears_what_a_killed_upload_left_in_staging(data_dir: Path) -> None:
    staging = data_dir / "staging"
    staging.mkdir(parents=True)
    left = staging / "upload-killed-mid-put"
    left.write_bytes(b"x" * 1024)
    platform = open_platform(Settings(data_dir=data_dir, register_builtin_workflows=False))
    platform.db.dispose()
    assert not left.exists()
    assert platform.staging_dir == staging


def test_uploads_idle_longer_than_a_url_lives_are_aged_out(tmp_path: Path) -> None:
    now = time.time()
    idle, live = tmp_path / "upload-idle", tmp_path / "upload-live"
    for path in (idle, live):
        path.write_bytes(b"part")
    os.utime(idle, (now - 3601, now - 3601))
    assert clean_staging(tmp_path, idle_seconds=3600, now=now) == 1
    assert not idle.exists() and live.exists()
