"""scripts/bootstrap.sh, which scripts/serve and scripts/test source: pip runs only when the
pins changed, either script may run first, and apt-get waits for a lock another holds."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.server import REPO

BOOTSTRAP = REPO / "scripts" / "bootstrap.sh"
# Records how pip was called instead of installing: the seam between the script and the index.
RECORDING_PYTHON = '#!/bin/sh\necho "$*" >> "$(dirname "$0")/../../pip-calls"\n'
needs_apt = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("apt-get") is None, reason="needs apt-get as root")


def _bash(folder: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f"source {BOOTSTRAP}\n{script}"], cwd=folder, capture_output=True, text=True, check=False
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    for name in ("constraints.txt", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(RECORDING_PYTHON)
    python.chmod(0o755)
    return tmp_path


def _installs(checkout: Path, extras: str = "") -> list[str]:
    """The packages `bootstrap_venv EXTRAS` asked pip to install (pip itself left out)."""
    calls = checkout / "pip-calls"
    calls.unlink(missing_ok=True)
    done = _bash(checkout, f"bootstrap_venv {extras}")
    assert done.returncode == 0, done.stderr
    lines = calls.read_text().splitlines() if calls.exists() else []
    return [line.rsplit(" ", 1)[1] for line in lines if "--upgrade pip" not in line]


def test_serve_installs_only_when_the_pins_changed(checkout: Path) -> None:
    assert _installs(checkout) == ["."]
    assert _installs(checkout) == []  # a second start asks no package index
    with (checkout / "constraints.txt").open("a") as pins:
        pins.write("# changed\n")
    assert _installs(checkout) == ["."]


def test_serve_and_test_work_in_either_order(checkout: Path) -> None:
    assert _installs(checkout) == ["."]  # serve first
    assert _installs(checkout, "test") == [".[test]"]  # test adds its extra
    assert _installs(checkout) == []  # serve again: pip would never remove the extra anyway
    assert _installs(checkout, "test") == []
    (checkout / "pyproject.toml").write_text((checkout / "pyproject.toml").read_text() + "\n")
    assert _installs(checkout, "test") == [".[test]"]  # test first
    assert _installs(checkout) == []  # `.[test]` installed the plain package too


@needs_apt
@pytest.mark.parametrize(("command", "lock"), [("update", "lists/lock"), ("install -y", "dpkg/lock-frontend")])
def test_apt_get_waits_for_a_lock_another_process_holds(tmp_path: Path, command: str, lock: str) -> None:
    """apt's own lock files, moved into a temp folder so that no real apt-get is disturbed."""
    (tmp_path / "lists" / "partial").mkdir(parents=True)
    (tmp_path / "dpkg").mkdir()
    (tmp_path / "dpkg" / "status").touch()
    (tmp_path / "sources.list").touch()
    (tmp_path / "sources.list.d").mkdir()
    places = {"Dir::State::Lists": "lists", "Dir::State::status": "dpkg/status",
              "Dir::Etc::sourcelist": "sources.list", "Dir::Etc::sourceparts": "sources.list.d"}  # fmt: skip
    options = " ".join(f"-o {option}={tmp_path / place}" for option, place in places.items())
    held = os.open(tmp_path / lock, os.O_RDWR | os.O_CREAT)
    fcntl.lockf(held, fcntl.LOCK_EX)
    release = threading.Timer(3, os.close, [held])
    release.start()
    try:
        done = _bash(tmp_path, f"APT_LOCK_TIMEOUT_SECONDS=60 apt_get {options} {command}")
    finally:
        release.join()
    assert done.returncode == 0, done.stderr


@needs_apt
def test_apt_get_gives_up_on_a_lock_after_its_timeout(tmp_path: Path) -> None:
    (tmp_path / "lists" / "partial").mkdir(parents=True)
    held = os.open(tmp_path / "lists" / "lock", os.O_RDWR | os.O_CREAT)
    fcntl.lockf(held, fcntl.LOCK_EX)
    try:
        done = _bash(tmp_path, f"APT_LOCK_TIMEOUT_SECONDS=1 apt_get -o Dir::State::Lists={tmp_path}/lists update")
    finally:
        os.close(held)
    assert done.returncode == 1
    assert "Could not get lock" in done.stderr
