"""Managed files as records, with their objects, on both stores: uploads hashed and typed as
they stream, folders, moves, the trash, and pages of a large folder."""

from __future__ import annotations

import gzip
import hashlib
import time

import pytest
from sqlalchemy import insert

from latchlike.db import utcnow
from latchlike.errors import Conflict, InvalidArgument, NotFound, PreconditionFailed
from latchlike.files import service
from latchlike.files.staging import StagedFile
from latchlike.files.tables import ManagedFileRow
from latchlike.platform import Platform
from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.store import FileStore
from latchlike.uploads.service import clean_staging

FASTQ = b"@r1\nACGT\n+\nIIII\n" * 1000


def _staged(platform: Platform, data: bytes, chunk: int = 4096) -> StagedFile:
    staged = StagedFile(platform.staging_dir)
    for start in range(0, len(data), chunk):
        staged.write(data[start : start + chunk])
    staged.finish()
    return staged


def _put(platform: Platform, store: FileStore, path: str, data: bytes, **options: bool) -> tuple[ManagedFileRow, bool]:
    with platform.db.session() as session:
        return service.put(session, store, "lab", path, _staged(platform, data), **options)


def _content(store: FileStore, row: ManagedFileRow) -> bytes:
    assert row.key is not None
    return b"".join(store.stream(row.key))


def _listing(platform: Platform, folder: str = "") -> list[str]:
    with platform.db.session() as session:
        return [entry.name for entry in service.list_folder(session, "lab", folder).entries]


def test_an_upload_is_hashed_typed_and_stored_under_its_path(platform: Platform, store: FileStore) -> None:
    data = gzip.compress(FASTQ)
    row, created = _put(platform, store, "runs/day1/reads.txt", data)
    assert created and (row.size, row.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (row.kind, row.compression, row.uploaded_by, row.written_by) == ("fastq", "gzip", LOCAL_PRINCIPAL, None)
    assert row.key == "files/lab/runs/day1/reads.txt" and _content(store, row) == data
    assert _listing(platform) == ["runs"] and _listing(platform, "runs") == ["day1"]  # the folders are records
    assert list(platform.staging_dir.iterdir()) == []


def test_a_second_upload_replaces_the_object_unless_refused(platform: Platform, store: FileStore) -> None:
    _put(platform, store, "a.csv", b"x,y\n1,2\n")
    row, created = _put(platform, store, "a.csv", b"x,y\n3,4\n")
    assert not created and _content(store, row) == b"x,y\n3,4\n" and row.kind == "csv"
    with pytest.raises(PreconditionFailed):
        _put(platform, store, "a.csv", b"other", overwrite=False)
    with pytest.raises(Conflict):
        _put(platform, store, "a.csv/inside.txt", b"no")  # a file is no folder
    with platform.db.session() as session:
        assert service.get(session, "lab", "a.csv").sha256 == hashlib.sha256(b"x,y\n3,4\n").hexdigest()


def test_bad_paths_are_refused_before_anything_changes(platform: Platform, store: FileStore) -> None:
    for path in ("../other/x", "/etc/passwd", "a//b", "a/./b", "bad\x1bname", "a\\b"):
        with pytest.raises(InvalidArgument):
            _put(platform, store, path, b"x")
    assert _listing(platform) == []


def test_a_folder_moves_with_everything_inside(platform: Platform, store: FileStore) -> None:
    _put(platform, store, "run1/a.fastq", FASTQ)
    _put(platform, store, "run1/deep/b.fastq", FASTQ)
    with platform.db.session() as session:
        service.make_folder(session, "lab", "run1/empty")
        service.move(session, store, "lab", "run1", "archive/2026/run1")
    assert _listing(platform) == ["archive"] and _listing(platform, "archive/2026/run1") == ["a.fastq", "deep", "empty"]
    with platform.db.session() as session:
        moved = service.get(session, "lab", "archive/2026/run1/deep/b.fastq")
        assert _content(store, moved) == FASTQ and not store.exists("files/lab/run1/deep/b.fastq")
        with pytest.raises(InvalidArgument, match="into itself"):
            service.move(session, store, "lab", "archive", "archive/inner")


def test_a_move_onto_a_file_needs_overwrite(platform: Platform, store: FileStore) -> None:
    _put(platform, store, "a.txt", b"a\n")
    _put(platform, store, "b.txt", b"b\n")
    with platform.db.session() as session, pytest.raises(Conflict):
        service.move(session, store, "lab", "a.txt", "b.txt")
    with platform.db.session() as session:
        row = service.move(session, store, "lab", "a.txt", "b.txt", overwrite=True)
        assert (row.path, _content(store, row)) == ("b.txt", b"a\n")
    assert _listing(platform) == ["b.txt"]


def test_the_trash_restores_and_purges(platform: Platform, store: FileStore) -> None:
    _put(platform, store, "run/a.fastq", FASTQ)
    with platform.db.session() as session:
        service.trash(session, store, "lab", "run")
    assert _listing(platform) == [] and store.list("files/lab/") == []
    with platform.db.session() as session:
        service.restore(session, store, "lab", "run")
        assert _content(store, service.get(session, "lab", "run/a.fastq")) == FASTQ
        service.trash(session, store, "lab", "run/a.fastq")
    _put(platform, store, "run/a.fastq", b"@new\nA\n+\nI\n")  # the path is free once trashed
    with platform.db.session() as session, pytest.raises(Conflict, match="exists again"):
        service.restore(session, store, "lab", "run/a.fastq")
    with platform.db.session() as session:
        service.purge(session, store, "lab", "run/a.fastq")  # the live one
        service.purge(session, store, "lab", "run/a.fastq")  # then the trashed one
        with pytest.raises(NotFound):
            service.restore(session, store, "lab", "run/a.fastq")
    assert store.list("files/") == store.list("trash/") == []


def test_a_page_of_a_folder_of_100000_files_takes_well_under_a_second(platform: Platform) -> None:
    now = utcnow()
    rows = [dict(project="lab", path=f"big/f{i:06d}.fastq", parent="big", name=f"f{i:06d}.fastq", is_folder=False,
                 key=f"files/lab/big/f{i:06d}.fastq", size=i, uploaded_by="anonymous", uploaded_at=now)
            for i in range(100_000)]  # fmt: skip
    with platform.db.session() as session:
        session.add(ManagedFileRow(project="lab", path="big", parent="", name="big", is_folder=True, size=0,
                                   uploaded_by="anonymous", uploaded_at=now))  # fmt: skip
        session.execute(insert(ManagedFileRow), rows)
    with platform.db.session() as session:
        started = time.perf_counter()
        first = service.list_folder(session, "lab", "big")
        middle = service.list_folder(session, "lab", "big", after="f050000.fastq", limit=100)
        elapsed = time.perf_counter() - started
    assert (len(first.entries), first.next_after) == (1000, "f000999.fastq")
    assert middle.entries[0].name == "f050001.fastq"
    assert elapsed < 1.0, f"two pages took {elapsed:.3f} s"


def test_an_upload_left_by_a_killed_server_is_cleared_on_start(platform: Platform) -> None:
    staged = StagedFile(platform.staging_dir)
    staged.write(FASTQ[:100])  # never finished: the process died here
    assert clean_staging(platform.staging_dir) == 1 and not staged.path.exists()


def test_files_put_at_once_into_a_new_folder_all_land(platform: Platform) -> None:
    """A folder upload: each file's unit of work makes the folder it goes in. On PostgreSQL
    both find none; the later insert waits for the first and then must take its folder, not
    fail the upload with a conflict (which the browser showed as a tus 409, then a 404)."""
    import threading

    first_made_it = threading.Event()
    outcome: list[object] = []

    def second() -> None:
        first_made_it.wait(10)
        try:
            with platform.db.session() as session:
                outcome.append(service.make_folder(session, "lab", "together/b")[1])
        except Exception as error:
            outcome.append(error)

    other = threading.Thread(target=second)
    other.start()
    with platform.db.session() as session:
        service.make_folder(session, "lab", "together/a")
        first_made_it.set()
        time.sleep(0.5)  # the other unit of work now finds no folder and inserts it too
    other.join(20)
    assert outcome == [True]
    with platform.db.session() as session:
        listed = service.list_folder(session, "lab", "together")
    assert [entry.name for entry in listed.entries] == ["a", "b"]
