"""`latchlike files add/list`: how a person puts data where launch forms can pick it."""

from __future__ import annotations

import gzip
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from latchlike.config import Settings
from latchlike.db import Database
from latchlike.files import service
from latchlike.files.catalog import StoreCatalog
from latchlike.platform import open_platform
from latchlike.store.local import LocalFileStore
from tests.server import REPO

READS = b"@r\nACGT\n+\nIIII\n"


def _environment(**settings: str) -> dict[str, str]:
    """No LATCHLIKE_* of the test's own: the command's defaults apply, except `settings`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LATCHLIKE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return env | {f"LATCHLIKE_{key.upper()}": value for key, value in settings.items()}


def _latchlike(cwd: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "latchlike", "files", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_environment(**settings), check=False)


def _server_data(data_dir: Path) -> Path:
    """A data dir as `latchlike serve` leaves it: database and store."""
    open_platform(Settings(data_dir=data_dir, register_builtin_workflows=False)).db.dispose()
    return data_dir


def test_an_added_file_is_listed_and_offered_by_forms(tmp_path: Path, database: str) -> None:
    data = str(_server_data(tmp_path / "data"))
    source = tmp_path / "reads.fastq.gz"
    source.write_bytes(b"\x1f\x8b fake gzip")
    added = _latchlike(tmp_path, "add", str(source), "--path", "run1/reads.fastq.gz", data_dir=data)
    assert added.returncode == 0, added.stderr
    uri = added.stdout.strip()
    assert uri.startswith("/") and uri.endswith("/files/flytesnacks/run1/reads.fastq.gz")
    listed = _latchlike(tmp_path, "list", data_dir=data)
    assert listed.stdout.split() == [str(len(b"\x1f\x8b fake gzip")), "run1/reads.fastq.gz"]
    catalog = StoreCatalog(LocalFileStore(tmp_path / "data" / "store"), "flytesnacks")
    assert [entry.uri for entry in catalog.browse(directory=False, blob_format="fastq", query="reads").entries] == [uri]


def test_an_added_file_is_recorded_with_its_checksum_and_kind(tmp_path: Path, database: str) -> None:
    data = _server_data(tmp_path / "data")
    source = tmp_path / "reads.txt"
    source.write_bytes(gzip.compress(READS * 100))
    added = _latchlike(tmp_path, "add", str(source), "--path", "run1/reads.txt", data_dir=str(data))
    assert added.returncode == 0, added.stderr
    db = Database(f"sqlite:///{data / 'latchlike.db'}")
    with db.session() as session:
        row = service.get(session, "flytesnacks", "run1/reads.txt")
        assert (row.sha256, row.kind, row.compression) == (
            hashlib.sha256(source.read_bytes()).hexdigest(),
            "fastq",
            "gzip",
        )
    db.dispose()


def test_in_the_servers_folder_it_prints_the_uri_of_the_file_in_the_servers_store(
    tmp_path: Path, database: str
) -> None:
    """As the README says: the server's default data dir, `./.latchlike`, no option given."""
    store = LocalFileStore(_server_data(tmp_path / ".latchlike") / "store")
    (tmp_path / "reads.fastq").write_bytes(READS)
    added = _latchlike(tmp_path, "add", "reads.fastq", "--path", "run1/reads.fastq")
    assert added.returncode == 0, added.stderr
    assert added.stdout == store.uri("files/flytesnacks/run1/reads.fastq") + "\n"
    assert Path(added.stdout.strip()).read_bytes() == READS
    assert list((tmp_path / ".latchlike" / "staging").iterdir()) == []


def test_a_folder_no_server_uses_gets_no_new_store(tmp_path: Path) -> None:
    (tmp_path / "reads.fastq").write_bytes(READS)
    refused = _latchlike(tmp_path, "add", "reads.fastq")
    assert refused.returncode == 1
    assert f"no store at {tmp_path / '.latchlike' / 'store'}" in refused.stderr
    assert not (tmp_path / ".latchlike").exists()


def test_a_copy_stopped_midway_leaves_nothing_behind(tmp_path: Path, database: str) -> None:
    data = _server_data(tmp_path / "data")
    pipe = tmp_path / "reads.fastq"
    os.mkfifo(pipe)  # as `<(zcat reads.fastq.gz)` gives: the copy waits for more
    command = [sys.executable, "-m", "latchlike", "files", "add", str(pipe)]
    adding = subprocess.Popen(command, env=_environment(data_dir=str(data)), stderr=subprocess.PIPE, text=True)
    with pipe.open("wb") as writer:
        writer.write(READS)
        writer.flush()
        staging = data / "staging"
        deadline = time.monotonic() + 30
        while not any(path.stat().st_size for path in staging.glob("*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [path.stat().st_size for path in staging.glob("*")] == [len(READS)]  # mid-copy
        adding.send_signal(signal.SIGTERM)
        assert adding.wait(timeout=30) == 128 + signal.SIGTERM, adding.stderr
    assert list(staging.iterdir()) == []
    assert not (data / "store" / "files" / "flytesnacks" / "reads.fastq").exists()


def test_a_path_escaping_the_project_folder_is_refused(tmp_path: Path, database: str) -> None:
    data = _server_data(tmp_path / "data")
    source = tmp_path / "x.txt"
    source.write_text("x")
    refused = _latchlike(tmp_path, "add", str(source), "--path", "../other/x.txt", data_dir=str(data))
    assert refused.returncode == 1
    assert "is not a valid store key" in refused.stderr
    assert not (data / "store" / "files" / "other").exists()
