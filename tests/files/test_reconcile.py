"""Objects other tools write into (or remove from) the store, on both backends: recorded
with the hash of their bytes, forgotten when gone; our own objects never read again; a
write through latchlike racing a stale event or listing always wins."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from latchlike.files import service
from latchlike.files.reconcile import BUCKET_WRITER, object_created, object_removed, reconcile
from latchlike.files.staging import StagedFile
from latchlike.platform import Platform
from latchlike.store import FileStore, open_store
from tests.s3 import S3Server, s3_server

FASTQ_GZ = gzip.compress(b"@r1\nACGT\n+\nIIII\n" * 200)


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("nanio")) as server:
        yield server


class CountingStore:
    """The store, counting whole-object reads: what 'never read again' is measured by."""

    def __init__(self, inner: FileStore) -> None:
        self.inner, self.reads = inner, 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def stream(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        self.reads += 1
        return self.inner.stream(key, start, length)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> CountingStore:
    if request.param == "local":
        return CountingStore(open_store((tmp_path / "store").as_uri()))
    server: S3Server = request.getfixturevalue("s3")
    return CountingStore(open_store(f"s3://{tmp_path.name.lower().replace('_', '-')[:40]}/prefix",
                                    s3_endpoint=server.endpoint, s3_access_key=server.access_key,
                                    s3_secret_key=server.secret_key))  # fmt: skip


def _written_by_another_tool(store: FileStore, tmp_path: Path, key: str, data: bytes) -> None:
    source = tmp_path / "elsewhere"
    source.write_bytes(data)
    store.put_file(key, source)


def _row(platform: Platform, path: str) -> service.ManagedFileRow | None:
    with platform.db.session() as session:
        return service.find(session, "lab", path)


def test_an_object_written_by_another_tool_is_recorded_with_its_hash_and_kind(
    platform: Platform, store: CountingStore, tmp_path: Path
) -> None:
    _written_by_another_tool(store, tmp_path, "files/lab/run 1/reads.fq.gz", FASTQ_GZ)
    assert object_created(platform.db, store, "files/lab/run 1/reads.fq.gz", len(FASTQ_GZ))
    row = _row(platform, "run 1/reads.fq.gz")
    assert row is not None and row.sha256 == hashlib.sha256(FASTQ_GZ).hexdigest() and row.size == len(FASTQ_GZ)
    assert (row.kind, row.compression, row.uploaded_by) == ("fastq", "gzip", BUCKET_WRITER)
    assert _row(platform, "run 1") is not None and _row(platform, "run 1").is_folder


def test_an_echo_of_our_own_upload_reads_nothing(platform: Platform, store: CountingStore) -> None:
    staged = StagedFile(platform.staging_dir)
    staged.write(FASTQ_GZ)
    staged.finish()
    with platform.db.session() as session:
        service.put(session, store.inner, "lab", "mine.fq.gz", staged)
    assert not object_created(platform.db, store, "files/lab/mine.fq.gz", len(FASTQ_GZ))
    assert store.reads == 0
    assert reconcile(platform.db, store).recorded == 0 and store.reads == 0


def test_an_object_replaced_outside_is_read_again_and_its_record_updated(
    platform: Platform, store: CountingStore, tmp_path: Path
) -> None:
    _written_by_another_tool(store, tmp_path, "files/lab/table.csv", b"a,b\n1,2\n")
    assert reconcile(platform.db, store).recorded == 1
    _written_by_another_tool(store, tmp_path, "files/lab/table.csv", b"a,b\n1,2\n3,4\n")
    assert reconcile(platform.db, store).recorded == 1
    row = _row(platform, "table.csv")
    assert row is not None and row.size == 12 and row.sha256 == hashlib.sha256(b"a,b\n1,2\n3,4\n").hexdigest()


def test_a_removed_object_is_forgotten_but_a_moved_one_is_not(
    platform: Platform, store: CountingStore, tmp_path: Path
) -> None:
    for name in ("gone.txt", "moved.txt"):
        _written_by_another_tool(store, tmp_path, f"files/lab/{name}", b"text\n")
    reconcile(platform.db, store)
    store.delete("files/lab/gone.txt")
    with platform.db.session() as session:  # a move through latchlike: the old key's removal is its echo
        service.move(session, store.inner, "lab", "moved.txt", "renamed.txt")
    assert object_removed(platform.db, store, "files/lab/gone.txt")
    assert not object_removed(platform.db, store, "files/lab/moved.txt")
    assert _row(platform, "gone.txt") is None and _row(platform, "renamed.txt") is not None
    assert reconcile(platform.db, store).forgotten == 0


def test_a_stale_removal_does_not_forget_an_object_written_again(
    platform: Platform, store: CountingStore, tmp_path: Path
) -> None:
    _written_by_another_tool(store, tmp_path, "files/lab/again.txt", b"v1\n")
    reconcile(platform.db, store)
    assert not object_removed(platform.db, store, "files/lab/again.txt")
    assert _row(platform, "again.txt") is not None


def test_the_full_scan_forgets_records_whose_objects_left(
    platform: Platform, store: CountingStore, tmp_path: Path
) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        _written_by_another_tool(store, tmp_path, f"files/lab/{name}", name.encode())
    assert reconcile(platform.db, store).recorded == 3
    store.delete("files/lab/b.txt")
    outcome = reconcile(platform.db, store)
    assert (outcome.recorded, outcome.forgotten) == (0, 1)
    assert _row(platform, "b.txt") is None and _row(platform, "a.txt") is not None


def test_an_object_over_a_folder_is_left_unrecorded(platform: Platform, store: CountingStore, tmp_path: Path) -> None:
    with platform.db.session() as session:
        service.make_folder(session, "lab", "results")
    _written_by_another_tool(store, tmp_path, "files/lab/results", b"not a folder")
    assert not object_created(platform.db, store, "files/lab/results", 12)
    assert _row(platform, "results").is_folder


def test_keys_outside_the_projects_folders_are_ignored(platform: Platform, store: CountingStore) -> None:
    assert not object_created(platform.db, store, "executions/x/outputs.pb", 3)
    assert not object_removed(platform.db, store, "uploads/p/d/x/bundle.tgz")
    assert store.reads == 0
