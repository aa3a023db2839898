"""Managed files over HTTP against a real server: streamed uploads, records and folder pages,
Range downloads, moves, the trash, refused paths, and an upload cut off mid-body."""

from __future__ import annotations

import gzip
import hashlib
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from latchlike.principal import LOCAL_PRINCIPAL
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
FASTQ = b"@r1\nACGTACGT\n+\nIIIIIIII\n" * 20_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data", builtins=False,
                           env={"LATCHLIKE_RUN_ENGINE": "false"})  # fmt: skip
    yield running
    running.stop()


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api/files/", timeout=30) as client:
        yield client


def _chunks(data: bytes, size: int = 65536) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_a_streamed_put_is_recorded_with_its_checksum_and_kind(api: httpx.Client) -> None:
    data = gzip.compress(FASTQ)
    created = api.put("lab/put/reads.txt", content=_chunks(data))  # chunked: no Content-Length
    assert created.status_code == 201, created.text
    record = api.get("lab/put/reads.txt").json()
    assert record == created.json()
    assert (record["size"], record["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert (record["kind"], record["compression"], record["uploaded_by"], record["written_by"]) == (
        "fastq", "gzip", LOCAL_PRINCIPAL, None)  # fmt: skip
    replaced = api.put("lab/put/reads.txt", content=b"a,b\n1,2\n")
    assert (replaced.status_code, replaced.json()["kind"]) == (200, "csv")
    refused = api.put("lab/put/reads.txt", content=b"x", headers={"If-None-Match": "*"})
    assert refused.status_code == 412 and "asked not to replace" in refused.json()["message"]
    assert api.get("lab/put/reads.txt", params={"download": 1}).content == b"a,b\n1,2\n"


def test_a_folder_lists_a_page_at_a_time(api: httpx.Client) -> None:
    for name in ("c.txt", "a.txt", "b.txt"):
        assert api.put(f"lab/paged/{name}", content=name.encode()).status_code == 201
    assert api.post("lab/paged/sub:mkdir").status_code == 201
    assert api.post("lab/paged/sub:mkdir").status_code == 200
    first = api.get("lab/paged", params={"limit": 2}).json()
    assert ([e["name"] for e in first["entries"]], first["next_after"]) == (["a.txt", "b.txt"], "b.txt")
    rest = api.get("lab/paged/", params={"limit": 2, "after": first["next_after"]}).json()
    assert ([e["name"] for e in rest["entries"]], rest["next_after"]) == (["c.txt", "sub"], None)
    assert [e["is_folder"] for e in rest["entries"]] == [False, True]
    assert "paged" in [e["name"] for e in api.get("lab/").json()["entries"]]


def test_downloads_answer_ranges(api: httpx.Client) -> None:
    data = bytes(range(256)) * 100
    api.put("lab/range.bin", content=data)
    whole = api.get("lab/range.bin", params={"download": 1})
    assert (whole.status_code, whole.content, whole.headers["accept-ranges"]) == (200, data, "bytes")
    last = len(data) - 1
    for header, start, end in (("bytes=10-19", 10, 19), ("bytes=-5", last - 4, last), ("bytes=25000-", 25000, last),
                               ("bytes=0-999999", 0, last)):  # fmt: skip
        part = api.get("lab/range.bin", params={"download": 1}, headers={"Range": header})
        assert part.status_code == 206 and part.content == data[start : end + 1]
        assert part.headers["content-range"] == f"bytes {start}-{end}/{len(data)}"
    outside = api.get("lab/range.bin", params={"download": 1}, headers={"Range": f"bytes={len(data)}-"})
    assert (outside.status_code, outside.headers["content-range"]) == (416, f"bytes */{len(data)}")


def test_move_trash_restore_and_purge(api: httpx.Client, server: RunningServer) -> None:
    api.put("lab/life/a.fastq", content=FASTQ)
    api.put("lab/life/b.fastq", content=b"@b\nA\n+\nI\n")
    assert api.post("lab/life/a.fastq:move", json={"to": "lab-moved/a.fastq"}).status_code == 200
    assert api.post("lab/life/b.fastq:move", json={"to": "lab-moved/a.fastq"}).status_code == 409
    assert api.get("lab/lab-moved/a.fastq", params={"download": 1}).content == FASTQ
    assert api.delete("lab/lab-moved").status_code == 204
    assert api.get("lab/lab-moved/a.fastq").status_code == 404
    assert not (server.data_dir / "store" / "files" / "lab" / "lab-moved" / "a.fastq").exists()
    restored = api.post("lab/lab-moved:restore")
    assert (restored.status_code, restored.json()["is_folder"]) == (200, True)
    assert api.get("lab/lab-moved/a.fastq").json()["sha256"] == hashlib.sha256(FASTQ).hexdigest()
    assert api.delete("lab/lab-moved", params={"purge": 1}).status_code == 204
    assert api.post("lab/lab-moved:restore").status_code == 404


@pytest.mark.parametrize("path", ["lab/%2E%2E/escape.txt", "lab//etc/passwd", "lab/bad%1Bname.txt", "lab/a/%2E/b"])
def test_bad_paths_are_refused_and_change_nothing(api: httpx.Client, server: RunningServer, path: str) -> None:
    before = api.get("lab/").json()["entries"]
    response = api.put(path, content=b"x")
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "InvalidArgument" and response.json()["message"]
    assert api.get("lab/").json()["entries"] == before


def test_an_upload_cut_mid_body_leaves_no_record_and_no_object(server: RunningServer, api: httpx.Client) -> None:
    staging = server.data_dir / "staging"
    with socket.create_connection(("127.0.0.1", server.http_port)) as connection:
        connection.sendall(b"PUT /api/files/lab/cut/reads.fastq HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Length: 10000000\r\n\r\n" + FASTQ[:300_000])  # fmt: skip
        _wait_for(lambda: staging.is_dir() and any(staging.iterdir()))  # the server is mid-body now
    _wait_for(lambda: not any(staging.iterdir()))
    assert not staging.is_dir() or not any(staging.iterdir())
    assert api.get("lab/cut/reads.fastq").status_code == 404
    assert api.get("lab/cut").status_code == 404  # not even its folder
    assert not (server.data_dir / "store" / "files" / "lab" / "cut").exists()


def test_every_status_is_in_the_openapi(server: RunningServer) -> None:
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    item = paths["/api/files/{project}/{path}"]
    assert {"200", "201", "400", "409", "412"} <= set(item["put"]["responses"])
    assert {"200", "206", "400", "404", "416"} <= set(item["get"]["responses"])
    assert {"204", "400", "404"} <= set(item["delete"]["responses"])
    assert {"200", "409"} <= set(paths["/api/files/{project}/{path}:move"]["post"]["responses"])
    assert {"200", "404", "409"} <= set(paths["/api/files/{project}/{path}:restore"]["post"]["responses"])


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
