"""Both stores keep the same contract: the local directory and an S3 bucket on a real S3
protocol server. Then a workflow runs with its data in the bucket, tasks reading and
writing `s3://` URIs through flytekit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgpack
import pytest
from flyteidl.core import literals_pb2

from latchlike.config import Settings
from latchlike.engine.executors.local import LocalExecutor
from latchlike.errors import InvalidArgument, NotFound
from latchlike.platform import Platform, open_platform
from latchlike.store import FileStore, open_store
from tests.engine.running import ENGINE_PROJECT, launch, launch_over_http, run_until_done, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.s3 import S3Server, s3_server
from tests.samples import SerializedSample
from tests.server import start_server
from tests.ui_gen.registry import register_serialized


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("nanio")) as server:
        yield server


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return open_store((tmp_path / "store").as_uri())
    server: S3Server = request.getfixturevalue("s3")
    return open_store(f"s3://{tmp_path.name.lower().replace('_', '-')[:40]}/prefix",
                      s3_endpoint=server.endpoint, s3_access_key=server.access_key,
                      s3_secret_key=server.secret_key)  # fmt: skip


def _put(store: FileStore, tmp_path: Path, key: str, data: bytes) -> Path:
    source = tmp_path / f"staged-{len(data)}-{abs(hash(key))}"
    source.write_bytes(data)
    store.put_file(key, source)
    return source


def test_a_file_put_reads_back_and_its_staged_copy_is_gone(store: FileStore, tmp_path: Path) -> None:
    source = _put(store, tmp_path, "files/p/reads.fastq", b"@r1\nACGT\n+\n!!!!\n")
    assert not source.exists()
    assert store.exists("files/p/reads.fastq") and not store.exists("files/p/other.fastq")
    with store.open("files/p/reads.fastq") as handle:
        assert handle.read() == b"@r1\nACGT\n+\n!!!!\n"


def test_listing_is_by_prefix_and_sorted(store: FileStore, tmp_path: Path) -> None:
    for key in ("files/p/b.txt", "files/p/a/c.txt", "files/q/d.txt"):
        _put(store, tmp_path, key, key.encode())
    assert [(o.key, o.size) for o in store.list("files/p/")] == [("files/p/a/c.txt", 15), ("files/p/b.txt", 13)]
    assert store.list("files/none/") == []


def test_uris_map_back_to_keys_and_foreign_ones_do_not(store: FileStore, tmp_path: Path) -> None:
    _put(store, tmp_path, "executions/x/y/z/n0/1/outputs.pb", b"\n")
    uri = store.uri("executions/x/y/z/n0/1/outputs.pb")
    assert store.key_of(uri) == "executions/x/y/z/n0/1/outputs.pb"
    assert store.key_of("s3://someone-else/executions/x") is None
    assert store.key_of("/etc/passwd") is None
    # A task needs no settings for local paths, and the endpoint and credentials for a bucket.
    bucket_settings = {"FLYTE_AWS_ENDPOINT", "FLYTE_AWS_ACCESS_KEY_ID", "FLYTE_AWS_SECRET_ACCESS_KEY"}
    expected = set() if uri.startswith("/") else bucket_settings
    assert set(store.task_env()) == expected


def test_a_missing_object_and_a_bad_key_are_refused_clearly(store: FileStore) -> None:
    with pytest.raises(NotFound, match="no object 'files/none'"):
        store.open("files/none")
    with pytest.raises(InvalidArgument):
        store.exists("../outside")


def test_a_stream_reads_a_range_a_chunk_at_a_time(store: FileStore, tmp_path: Path) -> None:
    data = bytes(range(256)) * 8192  # 2 MiB: more than one chunk
    _put(store, tmp_path, "files/p/big.bin", data)
    assert b"".join(store.stream("files/p/big.bin")) == data
    assert b"".join(store.stream("files/p/big.bin", 1000, 1_500_000)) == data[1000:1_501_000]
    assert b"".join(store.stream("files/p/big.bin", len(data) - 3)) == data[-3:]
    with pytest.raises(NotFound):
        b"".join(store.stream("files/p/none.bin"))


def test_a_move_replaces_the_target_whole_and_a_delete_is_idempotent(store: FileStore, tmp_path: Path) -> None:
    _put(store, tmp_path, "files/p/a.txt", b"new")
    _put(store, tmp_path, "files/p/dir/b.txt", b"old")
    store.move("files/p/a.txt", "files/p/dir/b.txt")
    assert not store.exists("files/p/a.txt")
    assert b"".join(store.stream("files/p/dir/b.txt")) == b"new"
    store.move("files/p/dir/b.txt", "trash/p/1/b.txt")
    assert [o.key for o in store.list("files/p/")] == []
    with pytest.raises(NotFound):
        store.move("files/p/a.txt", "files/p/c.txt")
    store.delete("trash/p/1/b.txt")
    store.delete("trash/p/1/b.txt")
    assert not store.exists("trash/p/1/b.txt")


def test_an_s3_store_needs_an_endpoint_and_a_bucket() -> None:
    with pytest.raises(InvalidArgument, match="LATCHLIKE_S3_ENDPOINT"):
        open_store("s3://bucket/prefix")
    with pytest.raises(InvalidArgument, match="names no bucket"):
        open_store("s3:///prefix", s3_endpoint="http://127.0.0.1:9")


@pytest.fixture
def s3_platform(s3: S3Server, tmp_path: Path, database: str) -> Iterator[Platform]:
    settings = Settings(
        data_dir=tmp_path / "data", register_builtin_workflows=False, store_url="s3://workflows/latchlike",
        s3_endpoint=s3.endpoint, s3_access_key=s3.access_key, s3_secret_key=s3.secret_key,
    )  # fmt: skip
    opened = open_platform(settings)
    yield opened
    opened.db.dispose()


@pytest.mark.slow
def test_a_workflow_passes_a_file_through_the_bucket(
    s3_platform: Platform, pipelines: SerializedSample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ENGINE_PROJECT))
    register_serialized(s3_platform, pipelines, ENGINE_PROJECT / "pipelines", "pipelines")
    executor = LocalExecutor(s3_platform.settings.data_dir, max_parallel=2, warm=True,
                             store_env=s3_platform.store.task_env())  # fmt: skip
    execution = run_until_done(s3_platform, launch(s3_platform, "pipelines.basic.files", {"n": 4}), executor=executor)
    assert execution.phase == "SUCCEEDED", execution.error
    assert execution.outputs is not None
    summary = literals_pb2.LiteralMap.FromString(execution.outputs).literals["o0"]
    assert msgpack.unpackb(summary.scalar.binary.value) == {"lines": 4, "first": "read0"}
    with s3_platform.store.open(f"executions/flytesnacks/development/{execution.name}/n0/1/outputs.pb") as raw:
        written = literals_pb2.LiteralMap.FromString(raw.read()).literals["o0"].scalar.blob.uri
    assert written.startswith("s3://workflows/latchlike/executions/")  # the task wrote into the bucket
    key = s3_platform.store.key_of(written)
    assert key is not None and s3_platform.store.exists(key)


@pytest.mark.slow
def test_a_server_on_s3_takes_a_fast_registration_and_runs_it(s3: S3Server, tmp_path: Path, database: str) -> None:
    server = start_server(tmp_path / "data", builtins=False, env=s3.env("served"))
    try:
        result = pyflyte_register(server, ENGINE_PROJECT, package="pipelines")
        assert result.returncode == 0, result.stdout + result.stderr
        name = launch_over_http(server, "pipelines.shapes.nested", {"x": 2})
        execution = wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
        assert execution["outputs"] == [{"name": "o0", "preview": "10", "type": "int"}]
    finally:
        server.stop()
