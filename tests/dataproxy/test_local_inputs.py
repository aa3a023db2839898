"""Local files and folders from the client's own disk, as `pyflyte run --remote` and
FlyteRemote upload them (padded base32 roots, one upload per file of a folder)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flytekit.configuration import Config
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.remote import FlyteRemote
from flytekit.remote.executions import FlyteWorkflowExecution
from flytekit.remote.remote_fs import FlytePathResolver, get_flyte_fs
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile

from tests.pyflyte import pyflyte
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow
CLIENT_PROJECT = FIXTURES / "client_project"
POLL = timedelta(seconds=0.5)
SAMPLES = 20
SAMPLE_LINES = SAMPLES * (SAMPLES + 1) // 2
READS = "".join(f"@read{i}\nACGT\n+\nIIII\n" for i in range(5))


@pytest.fixture(scope="module")
def remote(server: RunningServer) -> FlyteRemote:
    return FlyteRemote(
        Config.auto(config_file=str(server.flytekit_config())),
        default_project="flytesnacks",
        default_domain="development",
    )


@pytest.fixture
def client_dir(tmp_path: Path, server: RunningServer) -> Path:
    """Files on the client's disk, nowhere under the server's data dir."""
    assert not tmp_path.is_relative_to(server.data_dir.parent)
    (tmp_path / "sample.fastq").write_text(READS)
    samples = tmp_path / "samples"
    samples.mkdir()
    for i in range(SAMPLES):  # one upload each, under one root
        (samples / f"sample {i}.txt").write_text(f"sample {i}\n" * (i + 1))
    return tmp_path


def wait(remote: FlyteRemote, run_output: str) -> FlyteWorkflowExecution:
    name = re.search(r"/executions/([a-z0-9]+)", run_output)
    assert name, run_output
    execution = remote.fetch_execution(name=name.group(1))
    return remote.wait(execution, timeout=timedelta(seconds=120), sync_nodes=False, poll_interval=POLL)


def test_pyflyte_run_remote_uploads_a_local_file(server: RunningServer, remote: FlyteRemote, client_dir: Path) -> None:
    reads = client_dir / "sample.fastq"
    result = pyflyte(server, CLIENT_PROJECT, "run", "--remote", "dataio/reads.py", "count_reads", "--reads", str(reads))
    assert result.returncode == 0, result.stdout + result.stderr
    done = wait(remote, result.stdout)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED, done.closure.error
    assert done.outputs["o0"] == 20


def test_pyflyte_run_remote_uploads_a_local_folder(
    server: RunningServer, remote: FlyteRemote, client_dir: Path
) -> None:
    samples = client_dir / "samples"
    result = pyflyte(
        server, CLIENT_PROJECT, "run", "--remote", "dataio/reads.py", "count_samples", "--samples", str(samples)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    done = wait(remote, result.stdout)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED, done.closure.error
    assert done.outputs["o0"] == SAMPLE_LINES


def test_flyte_remote_executes_with_a_local_file_and_folder(
    server: RunningServer, remote: FlyteRemote, client_dir: Path
) -> None:
    registered = pyflyte(server, CLIENT_PROJECT, "register", "--version", "files-v1", "dataio")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    reads = remote.fetch_launch_plan(name="dataio.reads.count_reads", version="files-v1")
    done = remote.execute(reads, inputs={"reads": FlyteFile(str(client_dir / "sample.fastq"))}, wait=False)
    done = remote.wait(done, timeout=timedelta(seconds=120), sync_nodes=False, poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED, done.closure.error
    assert done.outputs["o0"] == 20
    samples = remote.fetch_launch_plan(name="dataio.reads.count_samples", version="files-v1")
    folder = FlyteDirectory(str(client_dir / "samples"))
    done = remote.wait(remote.execute(samples, inputs={"samples": folder}), timeout=timedelta(seconds=120),
                       sync_nodes=False, poll_interval=POLL)  # fmt: skip
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED, done.closure.error
    assert done.outputs["o0"] == SAMPLE_LINES


def test_flytekits_buffered_writes_upload_without_a_checksum(server: RunningServer, remote: FlyteRemote) -> None:
    """What a data frame encoder writes to `flyte://data` under `pyflyte run --remote`:
    no MD5, no file name; the server picks a fresh name, as FlyteAdmin does."""
    flyte_fs = get_flyte_fs(remote)()
    for _ in range(2):
        with flyte_fs.open("flyte://data/table.csv", "wb") as handle:
            handle.write(b"a,b\n1,2\n")
        native = FlytePathResolver.resolve_remote_path("flyte://data")
        assert native is not None and Path(native).read_bytes() == b"a,b\n1,2\n"
        assert Path(native).is_relative_to(server.data_dir / "store" / "uploads")
