"""`latchlike cp/ls/mv/rm` against a running server, as from a laptop: recursive copies both
ways, an interrupted upload that the same command resumes, and refusals as one line."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from latchlike.files_client import ClientError, Remote, kept_urls, parse_remote
from tests.server import REPO, RunningServer, module_server

pytestmark = pytest.mark.slow


server = module_server(builtins=False, engine=False)


def _environment(server: RunningServer, cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LATCHLIKE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return env | {"LATCHLIKE_SERVER": server.url, "XDG_CACHE_HOME": str(cache)}


def _latchlike(server: RunningServer, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "latchlike", *args], cwd=cwd, capture_output=True, text=True,
                          env=_environment(server, cwd / "cache"), timeout=120, check=False)  # fmt: skip


def _tree(root: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file, and '/' for every folder."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "/"
        for path in root.rglob("*")
    }


def test_a_folder_goes_up_and_comes_back_the_same(server: RunningServer, tmp_path: Path) -> None:
    source = tmp_path / "run1"
    (source / "reads" / "lane1").mkdir(parents=True)
    (source / "empty").mkdir()
    (source / "sample.csv").write_text("id,name\n1,a\n")
    (source / "reads" / "lane1" / "r1.fastq").write_bytes(b"@r\nACGT\n+\nIIII\n" * 1000)
    (source / "reads" / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    up = _latchlike(server, tmp_path, "cp", "-r", "run1", "latchlike://lab/")
    assert up.returncode == 0, up.stderr
    listed = _latchlike(server, tmp_path, "ls", "latchlike://lab/run1")
    assert [line.split()[-1] for line in listed.stdout.splitlines()] == ["empty/", "reads/", "sample.csv"]
    assert "csv" in listed.stdout
    down = _latchlike(server, tmp_path, "cp", "-r", "latchlike://lab/run1", "back")
    assert down.returncode == 0, down.stderr
    assert _tree(tmp_path / "back") == _tree(source)
    record = httpx.get(f"{server.url}/api/files/lab/run1/reads/big.bin").json()
    assert record["sha256"] == hashlib.sha256((source / "reads" / "big.bin").read_bytes()).hexdigest()


def test_an_interrupted_upload_resumes_where_the_server_has_the_bytes(server: RunningServer, tmp_path: Path) -> None:
    data = os.urandom(96 * 1024 * 1024)
    (tmp_path / "big.bin").write_bytes(data)
    partials = server.data_dir / "tus"
    before = set(partials.iterdir())
    command = [sys.executable, "-m", "latchlike", "cp", "--chunk-mb", "1", "big.bin", "latchlike://lab/resume/big.bin"]
    copying = subprocess.Popen(command, cwd=tmp_path, env=_environment(server, tmp_path / "cache"),
                               stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        started = set(partials.iterdir()) - before
        if started and next(iter(started)).stat().st_size >= 3 * 1024 * 1024:
            break
        time.sleep(0.01)
    copying.send_signal(signal.SIGINT)
    _, stderr = copying.communicate(timeout=60)
    assert copying.returncode == 1 and "interrupted; run the same command again" in stderr
    assert "Traceback" not in stderr
    (partial,) = set(partials.iterdir()) - before
    kept = partial.stat().st_size
    assert 0 < kept < len(data)
    assert httpx.get(f"{server.url}/api/files/lab/resume/big.bin").status_code == 404
    resumed = _latchlike(server, tmp_path, "cp", "--chunk-mb", "1", "big.bin", "latchlike://lab/resume/big.bin")
    assert resumed.returncode == 0, resumed.stderr
    assert "big.bin → latchlike://lab/resume/big.bin (resumed)" in resumed.stderr
    assert server.log().count("POST /api/tus/lab HTTP") >= 1
    assert f"PATCH /api/tus/lab/{partial.name}" in server.log()
    record = httpx.get(f"{server.url}/api/files/lab/resume/big.bin").json()
    assert (record["size"], record["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert not partial.exists()
    assert list((tmp_path / "cache" / "latchlike" / "tus").iterdir()) == []  # nothing left to resume


def test_move_and_delete_to_the_trash_or_for_good(server: RunningServer, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    assert _latchlike(server, tmp_path, "cp", "a.txt", "latchlike://lab/mv/a.txt").returncode == 0
    assert _latchlike(server, tmp_path, "cp", "a.txt", "latchlike://lab/mv/into/").returncode == 0
    moved = _latchlike(server, tmp_path, "mv", "latchlike://lab/mv/a.txt", "latchlike://lab/mv/b.txt")
    assert moved.returncode == 0, moved.stderr
    into = _latchlike(server, tmp_path, "mv", "latchlike://lab/mv/b.txt", "latchlike://lab/mv/into")
    assert into.stdout.strip() == "latchlike://lab/mv/b.txt → latchlike://lab/mv/into/b.txt"
    folder = _latchlike(server, tmp_path, "rm", "latchlike://lab/mv/into")
    assert folder.returncode == 1 and "pass -r" in folder.stderr
    assert _latchlike(server, tmp_path, "rm", "latchlike://lab/mv/into/a.txt").returncode == 0
    restored = httpx.post(f"{server.url}/api/files/lab/mv/into/a.txt:restore")
    assert restored.status_code == 200  # it went to the trash
    assert _latchlike(server, tmp_path, "rm", "-r", "--purge", "latchlike://lab/mv/into").returncode == 0
    assert httpx.post(f"{server.url}/api/files/lab/mv/into:restore").status_code == 404  # gone for good
    assert _latchlike(server, tmp_path, "ls", "latchlike://lab/mv").stdout == ""


def test_refusals_are_one_line_with_the_servers_reason(server: RunningServer, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    assert _latchlike(server, tmp_path, "cp", "a.txt", "latchlike://lab/refused/a.txt").returncode == 0
    cases = {
        ("cp", "a.txt", "latchlike://lab/refused/a.txt"): "latchlike://lab/refused/a.txt exists: pass -f",
        ("ls", "latchlike://lab/refused/none"): "nothing at latchlike://lab/refused/none",
        ("mv", "latchlike://lab/refused/none", "latchlike://lab/x"): "nothing at 'refused/none' in project 'lab'",
        ("cp", "latchlike://lab/refused", "here"): "is a folder: pass -r",
        ("cp", "a.txt", "latchlike://lab/../a.txt"): "'..' part",
        ("cp", "-r", "latchlike://lab/refused", "a.txt"): "File exists: a.txt",
        ("ls", "--server", "http://127.0.0.1:9", "latchlike://lab/"): "cannot reach the server at http://127.0.0.1:9",
    }
    for args, message in cases.items():
        refused = _latchlike(server, tmp_path, *args)
        assert refused.returncode == 1, (args, refused.stdout)
        assert message in refused.stderr and "Traceback" not in refused.stderr, (args, refused.stderr)
        assert refused.stderr.strip().startswith("latchlike: ") and len(refused.stderr.strip().splitlines()) == 1
    replaced = _latchlike(server, tmp_path, "cp", "-f", "a.txt", "latchlike://lab/refused/a.txt")
    assert replaced.returncode == 0, replaced.stderr


def test_remote_paths_are_written_with_the_latchlike_scheme() -> None:
    assert parse_remote("latchlike://lab/runs/r1.fastq") == Remote("lab", "runs/r1.fastq")
    assert parse_remote("latchlike://lab") == Remote("lab", "")
    assert parse_remote("runs/r1.fastq") is None
    with pytest.raises(ClientError, match="names no project"):
        parse_remote("latchlike:///runs")
    with pytest.raises(ClientError, match="is a Latch path: here remote paths are written latchlike://"):
        parse_remote("latch:///welcome/reads.fastq")


def test_a_cut_url_file_starts_the_upload_afresh(tmp_path: Path) -> None:
    (tmp_path / "kept.json").write_text('{"_default": {"1": {"key"')
    storage = kept_urls(tmp_path / "kept.json")
    assert storage.get_item("anything") is None
    storage.set_item("k", "http://server/api/tus/lab/1")
    storage.close()
    assert kept_urls(tmp_path / "kept.json").get_item("k") == "http://server/api/tus/lab/1"
