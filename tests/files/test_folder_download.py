"""A folder downloads as one tar: its live files and folders by path relative to it, read from
the store as the archive is sent (both stores); over HTTP with its own name; `.executions`
folders of real executions too; and from the file browser's Download in a real Chromium."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator

import httpx
import pytest

from latchlike.files import browse, service
from latchlike.files.staging import StagedFile
from latchlike.platform import Platform
from latchlike.store import FileStore
from latchlike.store.archive import CHUNK, tar_stream
from tests.engine.running import launch, run_until_done
from tests.server import RunningServer, start_server
from tests.web.test_files_page_browser import files_page, row

BIG = bytes(range(256)) * (3 * CHUNK // 256 + 7)  # more than three chunks, not a whole one


def _put(platform: Platform, store: FileStore, path: str, data: bytes) -> None:
    staged = StagedFile(platform.staging_dir)
    staged.write(data)
    staged.finish()
    with platform.db.session() as session:
        service.put(session, store, "lab", path, staged)


def _members(archive: bytes) -> dict[str, bytes | None]:
    """Each member's bytes; None for a folder."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: (tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()}  # type: ignore[union-attr]


def test_a_folder_is_archived_from_its_live_records(platform: Platform, store: FileStore) -> None:
    _put(platform, store, "runs/a.txt", b"alpha\n")
    _put(platform, store, "runs/day1/big.bin", BIG)
    _put(platform, store, "runs/gone.txt", b"trashed\n")
    _put(platform, store, "runsx/not-inside.txt", b"a sibling whose name starts the same\n")
    with platform.db.session() as session:
        service.make_folder(session, "lab", "runs/empty")
        service.trash(session, store, "lab", "runs/gone.txt")
        found = browse.download(session, store, "lab", "runs")
    assert isinstance(found, browse.FolderArchive) and found.name == "runs"
    chunks = list(tar_stream(store, "", found.entries))
    assert max(len(chunk) for chunk in chunks) <= CHUNK  # streamed a chunk at a time, never a whole file
    assert _members(b"".join(chunks)) == {"a.txt": b"alpha\n", "day1": None, "day1/big.bin": BIG, "empty": None}

    with platform.db.session() as session:
        single = browse.download(session, store, "lab", "runs/a.txt")
        nested = browse.download(session, store, "lab", "runs/empty")
    assert isinstance(single, browse.Download) and single.size == 6
    assert isinstance(nested, browse.FolderArchive) and nested.entries == []
    assert _members(b"".join(tar_stream(store, "", nested.entries))) == {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data", builtins=False,
                           env={"LATCHLIKE_RUN_ENGINE": "false"})  # fmt: skip
    yield running
    running.stop()


@pytest.mark.slow
def test_a_folder_downloads_over_http_as_one_tar(server: RunningServer) -> None:
    with httpx.Client(base_url=f"{server.url}/api/files/lab/", timeout=30) as api:
        assert api.put("reads 2026/r1.fastq", content=b"@r\nACGT\n+\nIIII\n").status_code == 201
        assert api.put("reads 2026/sub/r2.csv", content=b"a,b\n1,2\n").status_code == 201
        answer = api.get("reads 2026/", params={"download": 1})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/x-tar"
        assert answer.headers["content-disposition"].startswith('attachment; filename="reads 2026.tar"')
        assert _members(answer.content) == {
            "r1.fastq": b"@r\nACGT\n+\nIIII\n", "sub": None, "sub/r2.csv": b"a,b\n1,2\n"
        }  # fmt: skip
        assert api.get("nowhere", params={"download": 1}).status_code == 404
        spec = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
        ok = spec["paths"]["/api/files/{project}/{path}"]["get"]["responses"]["200"]
        assert "application/x-tar" in ok["content"] and "tar" in ok["description"]


@pytest.mark.slow
def test_the_file_browser_downloads_a_folder_as_one_archive(server: RunningServer) -> None:
    httpx.put(f"{server.url}/api/files/desk/photos/cat.png", content=b"not really a png", timeout=30)
    with files_page() as page:
        page.goto(f"{server.url}/files/desk")
        row(page, "photos").locator("input[type=checkbox]").check()
        with page.expect_download() as downloading:
            page.locator(".toolbar").get_by_role("button", name="Download").click()
        download = downloading.value
        assert download.suggested_filename == "photos.tar"
        path = download.path()
        assert _members(path.read_bytes()) == {"cat.png": b"not really a png"}


@pytest.mark.slow
def test_execution_output_folders_download_as_one_tar(registered: Platform) -> None:
    one_file = run_until_done(registered, launch(registered, "pipelines.basic.files", {"n": 3}), warm=True)
    folder = run_until_done(registered, launch(registered, "pipelines.shapes.folders", {"n": 2}), warm=True)
    assert (one_file.phase, folder.phase) == ("SUCCEEDED", "SUCCEEDED")
    running = start_server(registered.settings.data_dir, builtins=False,
                           env={"LATCHLIKE_RUN_ENGINE": "false",
                                "LATCHLIKE_DATABASE_URL": registered.settings.resolved_database_url})  # fmt: skip
    try:
        with httpx.Client(base_url=f"{running.url}/api/files/flytesnacks/", timeout=30) as api:

            def tar_of(path: str) -> dict[str, bytes | None]:
                answer = api.get(path, params={"download": 1})
                assert answer.status_code == 200, answer.text
                assert answer.headers["content-type"] == "application/x-tar"
                return _members(answer.content)

            samples = {"sample0.txt": b"sample 0\n" * 1, "sample1.txt": b"sample 1\n" * 2}
            assert tar_of(f".executions/{folder.name}/n0/o0") == samples
            assert tar_of(f".executions/{folder.name}") == {f"n0/o0/{name}": data for name, data in samples.items()}
            assert tar_of(f".executions/{one_file.name}/n0") == {"o0/reads.txt": b"read0\nread1\nread2\n"}
            everything = tar_of(".executions")
            assert everything[f"{one_file.name}/n0/o0/reads.txt"] == b"read0\nread1\nread2\n"
            assert everything[f"{folder.name}/n0/o0/sample1.txt"] == samples["sample1.txt"]
            reads = api.get(f".executions/{one_file.name}/n0/o0/reads.txt", params={"download": 1})
            assert reads.headers["content-type"] == "application/octet-stream"  # a file is still itself
    finally:
        running.stop()
