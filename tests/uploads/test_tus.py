"""The tus 1.0 endpoint against a real server: discovery, creation, PATCH in pieces, HEAD
offsets, refused offsets and versions, termination, expiry, and a `kill -9` mid-upload
that loses nothing accepted."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.s3 import s3_server
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
TUS = {"Tus-Resumable": "1.0.0"}
BODY = {**TUS, "Content-Type": "application/offset+octet-stream"}
DATA = os.urandom(300_000)


def _metadata(**values: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


def _start(tmp: Path, **env: str) -> RunningServer:
    environment = {"LATCHLIKE_RUN_ENGINE": "false", **{f"LATCHLIKE_{k.upper()}": v for k, v in env.items()}}
    return start_server(tmp / "data", builtins=False, env=environment)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = _start(tmp_path_factory.mktemp("tus"), max_upload_bytes="1000000")
    yield running
    running.stop()


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def _create(api: httpx.Client, length: int, project: str = "lab", **metadata: str) -> httpx.Response:
    return api.post(f"/api/tus/{project}", headers={**TUS, "Upload-Length": str(length),
                                                    "Upload-Metadata": _metadata(**metadata)})  # fmt: skip


def _patch(api: httpx.Client, url: str, offset: int, data: bytes) -> httpx.Response:
    return api.patch(url, content=data, headers={**BODY, "Upload-Offset": str(offset)})


def _listed(api: httpx.Client, folder: str) -> list[str]:
    answer = api.get(f"/api/files/lab/{folder}")
    return [entry["name"] for entry in answer.json()["entries"]] if answer.status_code == 200 else []


def test_options_tells_version_extensions_and_the_size_limit(api: httpx.Client) -> None:
    answer = api.options("/api/tus/lab")
    assert answer.status_code == 204
    assert (answer.headers["Tus-Version"], answer.headers["Tus-Max-Size"]) == ("1.0.0", "1000000")
    assert {"creation", "termination"} <= set(answer.headers["Tus-Extension"].split(","))


def test_every_status_is_in_the_openapi(api: httpx.Client) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert {"201", "400", "409", "412", "413"} <= set(paths["/api/tus/{project}"]["post"]["responses"])
    upload = paths["/api/tus/{project}/{upload_id}"]
    assert {"200", "404", "412"} <= set(upload["head"]["responses"])
    assert {"204", "400", "404", "409", "412", "415"} <= set(upload["patch"]["responses"])
    assert {"204", "404", "409", "412"} <= set(upload["delete"]["responses"])


def test_an_upload_in_pieces_is_invisible_until_its_last_byte_then_recorded(api: httpx.Client) -> None:
    created = _create(api, len(DATA), path="pieces/blob.bin")
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    assert url.startswith("/api/tus/lab/")
    offset = 0
    for piece in (DATA[:100_000], DATA[100_000:250_000]):
        answer = _patch(api, url, offset, piece)
        assert answer.status_code == 204, answer.text
        offset += len(piece)
        assert int(answer.headers["Upload-Offset"]) == offset
        head = api.head(url, headers=TUS)
        assert (head.status_code, head.headers["Upload-Offset"], head.headers["Upload-Length"]) == (
            200, str(offset), str(len(DATA)))  # fmt: skip
        assert head.headers["Cache-Control"] == "no-store" and "Upload-Expires" in head.headers
        assert api.get("/api/files/lab/pieces/blob.bin").status_code == 404
        assert "blob.bin" not in _listed(api, "pieces")
    last = _patch(api, url, offset, DATA[offset:])
    assert (last.status_code, last.headers["Upload-Offset"]) == (204, str(len(DATA)))
    record = api.get("/api/files/lab/pieces/blob.bin").json()
    assert (record["size"], record["sha256"]) == (len(DATA), hashlib.sha256(DATA).hexdigest())
    assert api.get("/api/files/lab/pieces/blob.bin", params={"download": 1}).content == DATA
    assert api.head(url, headers=TUS).status_code == 404  # finished: the upload is gone


def test_a_wrong_offset_is_409_and_changes_nothing(api: httpx.Client) -> None:
    url = _create(api, 10, path="offsets/a.txt").headers["Location"]
    assert _patch(api, url, 0, b"hello").status_code == 204
    refused = _patch(api, url, 3, b"lo wo")
    assert refused.status_code == 409 and "5 bytes are in" in refused.json()["message"]
    assert api.head(url, headers=TUS).headers["Upload-Offset"] == "5"
    assert _patch(api, url, 5, b"world").status_code == 204
    assert api.get("/api/files/lab/offsets/a.txt", params={"download": 1}).content == b"helloworld"


def test_requests_that_break_the_protocol_are_refused(api: httpx.Client) -> None:
    url = _create(api, 4, path="refused/a.txt").headers["Location"]
    no_version = api.patch(url, content=b"abcd", headers={"Content-Type": "application/offset+octet-stream",
                                                          "Upload-Offset": "0"})  # fmt: skip
    assert (no_version.status_code, no_version.headers["Tus-Version"]) == (412, "1.0.0")
    wrong_type = api.patch(url, content=b"abcd", headers={**TUS, "Upload-Offset": "0"})
    assert wrong_type.status_code == 415
    assert _patch(api, url, 0, b"abcdef").status_code == 400  # past Upload-Length
    assert api.head(url, headers=TUS).headers["Upload-Offset"] == "0"
    assert _create(api, 2_000_000, path="refused/big.bin").status_code == 413
    assert _create(api, 4, path="../escape.txt").status_code == 400
    assert api.post("/api/tus/lab", headers=TUS).status_code == 400  # no Upload-Length
    assert _create(api, 4).status_code == 400  # no destination
    assert api.head("/api/tus/lab/" + "0" * 32, headers=TUS).status_code == 404
    assert api.head("/api/tus/other/" + url.rsplit("/", 1)[1], headers=TUS).status_code == 404


def test_an_existing_file_is_replaced_only_when_asked(api: httpx.Client) -> None:
    assert api.put("/api/files/lab/replace/a.txt", content=b"old").status_code == 201
    refused = _create(api, 3, path="replace/a.txt")
    assert refused.status_code == 412 and "overwrite" in refused.json()["message"]
    url = _create(api, 3, path="replace/a.txt", overwrite="1").headers["Location"]
    assert _patch(api, url, 0, b"new").status_code == 204
    assert api.get("/api/files/lab/replace/a.txt", params={"download": 1}).content == b"new"
    assert _create(api, 3, path="replace", overwrite="1").status_code == 409  # a folder


def test_uppy_metadata_names_the_file_and_an_empty_file_is_recorded_at_creation(api: httpx.Client) -> None:
    created = _create(api, 0, relativePath="null", name="empty.txt", filetype="text/plain")
    assert created.status_code == 201
    assert api.get("/api/files/lab/empty.txt").json()["size"] == 0
    url = _create(api, 3, relativePath="drop/sub/x.txt", name="x.txt").headers["Location"]
    assert _patch(api, url, 0, b"abc").status_code == 204
    assert _listed(api, "drop/sub") == ["x.txt"]


def test_a_new_patch_takes_over_from_one_whose_client_went_silent(api: httpx.Client, server: RunningServer) -> None:
    """A connection dropped without the server noticing (the body just stops coming): the
    client's retry asks HEAD and PATCHes from there, and is not locked out."""
    url = _create(api, 300_000, path="takeover/a.bin").headers["Location"]
    partial, hold = server.data_dir / "tus" / url.rsplit("/", 1)[1], threading.Event()

    def stalled() -> Iterator[bytes]:
        yield DATA[:100_000]
        hold.wait(60)

    answers: list[int] = []
    first = threading.Thread(target=lambda: answers.append(_stalled_patch(server.url, url, stalled())))
    first.start()
    try:
        deadline = time.monotonic() + 30
        while partial.stat().st_size < 100_000 and time.monotonic() < deadline:
            time.sleep(0.02)
        offset = int(api.head(url, headers=TUS).headers["Upload-Offset"])
        assert offset == 100_000
        retried = _patch(api, url, offset, DATA[offset:300_000])
        assert retried.status_code == 204, retried.text
    finally:
        hold.set()
        first.join(60)
    assert answers == [409]  # the silent one was told it lost the upload
    record = api.get("/api/files/lab/takeover/a.bin").json()
    assert record["sha256"] == hashlib.sha256(DATA[:300_000]).hexdigest()


def _stalled_patch(base: str, url: str, body: Iterator[bytes]) -> int:
    with httpx.Client(base_url=base, timeout=60) as client:
        return client.patch(url, content=body, headers={**BODY, "Upload-Offset": "0"}).status_code


def test_termination_discards_the_bytes(api: httpx.Client, server: RunningServer) -> None:
    url = _create(api, 10, path="gone/a.txt").headers["Location"]
    assert _patch(api, url, 0, b"abc").status_code == 204
    partial = server.data_dir / "tus" / url.rsplit("/", 1)[1]
    assert partial.read_bytes() == b"abc"
    assert api.delete(url, headers=TUS).status_code == 204
    assert api.head(url, headers=TUS).status_code == 404
    assert _patch(api, url, 3, b"def").status_code == 404
    assert not partial.exists() and _listed(api, "gone") == []


def test_abandoned_uploads_expire_and_a_restart_clears_them(tmp_path: Path, database: str) -> None:
    server = _start(tmp_path, tus_expiry_seconds="2")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as api:
            url = _create(api, 10, path="old/a.txt").headers["Location"]
            assert _patch(api, url, 0, b"abc").status_code == 204
            time.sleep(2.5)
            assert api.head(url, headers=TUS).status_code == 404
            assert _patch(api, url, 3, b"def").status_code == 404
            stale = _create(api, 10, path="old/b.txt").headers["Location"]
            assert _patch(api, stale, 0, b"abc").status_code == 204
            assert _create(api, 10, path="old/c.txt").status_code == 201  # ages out a.txt's upload
            assert not (server.data_dir / "tus" / url.rsplit("/", 1)[1]).exists()
        server.process.kill()
        server.process.wait()
        time.sleep(2.5)
        server = start_server(server.data_dir, builtins=False, env={"LATCHLIKE_RUN_ENGINE": "false"})
        assert list((server.data_dir / "tus").iterdir()) == []
    finally:
        server.stop()


def test_a_server_killed_mid_upload_resumes_with_the_right_checksum(tmp_path: Path, database: str) -> None:
    data = os.urandom(6 * 1024 * 1024)
    sent, hold = 4 * 1024 * 1024, threading.Event()
    server = _start(tmp_path)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as api:
            url = _create(api, len(data), path="crash/big.bin").headers["Location"]
            partial = server.data_dir / "tus" / url.rsplit("/", 1)[1]

            def body() -> Iterator[bytes]:
                for start in range(0, sent, 256 * 1024):
                    yield data[start : start + 256 * 1024]
                hold.wait(60)  # the server is killed while the body is still open

            failures: list[BaseException] = []
            patching = threading.Thread(target=lambda: _expect_failure(api, url, body(), failures))
            patching.start()
            deadline = time.monotonic() + 60
            while partial.stat().st_size < sent and time.monotonic() < deadline:
                time.sleep(0.05)
            assert partial.stat().st_size == sent
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait()
            hold.set()
            patching.join(60)
            assert failures
        server = start_server(server.data_dir, builtins=False, env={"LATCHLIKE_RUN_ENGINE": "false"})
        with httpx.Client(base_url=server.url, timeout=60) as api:
            assert api.get("/api/files/lab/crash/big.bin").status_code == 404
            assert api.head(url, headers=TUS).headers["Upload-Offset"] == str(sent)
            done = _patch(api, url, sent, data[sent:])
            assert done.status_code == 204, done.text
            record = api.get("/api/files/lab/crash/big.bin").json()
            assert (record["size"], record["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    finally:
        hold.set()
        server.stop()


def _expect_failure(api: httpx.Client, url: str, body: Iterator[bytes], failures: list[BaseException]) -> None:
    try:
        api.patch(url, content=body, headers={**BODY, "Upload-Offset": "0"})
    except httpx.HTTPError as error:
        failures.append(error)


def test_on_s3_the_finished_file_goes_up_in_parts_and_reads_back(tmp_path: Path, database: str) -> None:
    data = os.urandom(12 * 1024 * 1024 + 3)  # over minio's 5 MiB part: a multipart upload
    (tmp_path / "s3").mkdir()
    with s3_server(tmp_path / "s3") as s3:
        server = start_server(tmp_path / "data", builtins=False, env={"LATCHLIKE_RUN_ENGINE": "false", **s3.env("tus")})
        try:
            with httpx.Client(base_url=server.url, timeout=60) as api:
                url = _create(api, len(data), path="s3/big.bin").headers["Location"]
                assert _patch(api, url, 0, data[:5_000_000]).status_code == 204
                assert _patch(api, url, 5_000_000, data[5_000_000:]).status_code == 204
                record = api.get("/api/files/lab/s3/big.bin").json()
                assert record["sha256"] == hashlib.sha256(data).hexdigest()
                assert api.get("/api/files/lab/s3/big.bin", params={"download": 1}).content == data
            assert list((server.data_dir / "tus").iterdir()) == []
            assert not (server.data_dir / "store" / "files").exists()  # the object is in the bucket
        finally:
            server.stop()
