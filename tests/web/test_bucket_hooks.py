"""Files other tools write straight into the S3 bucket reach the records: through MinIO's
bucket-notification webhook (its payloads, its token header) and, without it, through the
periodic reconcile. A real server on a real S3 protocol server; objects put with the minio
SDK as any other tool would."""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlparse

import httpx
import pytest
from minio import Minio

from tests.s3 import S3Server, s3_server
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parents[1] / "fixtures" / "bucket_events"
TOKEN = "a-shared-webhook-secret"
PROJECT = "flytesnacks"
READS = gzip.compress(b"@r1\nACGTN\n+\nIIII#\n" * 500)


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("nanio")) as server:
        yield server


@contextmanager
def _server(s3: S3Server, data: Path, bucket: str, **env: str) -> Iterator[RunningServer]:
    server = start_server(data, builtins=False, env={**s3.env(bucket), **env})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def hooked(s3: S3Server, tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    with _server(s3, tmp_path_factory.mktemp("hooked"), "hooked", LATCHLIKE_BUCKET_EVENTS_TOKEN=TOKEN,
                 LATCHLIKE_RECONCILE_INTERVAL_SECONDS="0") as server:  # fmt: skip
        yield server


def _client(s3: S3Server) -> Minio:
    return Minio(urlparse(s3.endpoint).netloc, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)


def _put_object(s3: S3Server, bucket: str, path: str, data: bytes) -> None:
    _client(s3).put_object(bucket, f"latchlike/files/{PROJECT}/{path}", io.BytesIO(data), len(data))


def _notification(fixture: str, bucket: str, path: str, size: int | None = None) -> dict[str, Any]:
    """The recorded payload, pointed at this bucket and object as MinIO would write it."""
    body = json.loads((FIXTURES / fixture).read_text())
    name = f"latchlike/files/{PROJECT}/{path}"
    body["Key"] = f"{bucket}/{name}"
    record = copy.deepcopy(body["Records"][0])
    record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    record["s3"]["object"]["key"] = quote_plus(name)
    if size is not None:
        record["s3"]["object"]["size"] = size
    body["Records"] = [record]
    return body


def _post(server: RunningServer, body: Any, authorization: str | None = f"Bearer {TOKEN}") -> httpx.Response:
    headers = {"Authorization": authorization.encode()} if authorization else {}
    return httpx.post(f"{server.url}/api/hooks/bucket-events", json=body, headers=headers, timeout=10)


def _file(server: RunningServer, path: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/files/{PROJECT}/{quote(path)}", timeout=10)


def _eventually(check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the store change never reached the records"
        time.sleep(0.1)


def test_an_object_put_by_another_tool_appears_when_the_bucket_notifies(s3: S3Server, hooked: RunningServer) -> None:
    _put_object(s3, "hooked", "run 1/reads.fq.gz", READS)
    answer = _post(hooked, _notification("put.json", "hooked", "run 1/reads.fq.gz", len(READS)))
    assert answer.status_code == 200 and answer.json() == {"queued": 1}
    _eventually(lambda: _file(hooked, "run 1/reads.fq.gz").status_code == 200)
    record = _file(hooked, "run 1/reads.fq.gz").json()
    assert record["sha256"] == hashlib.sha256(READS).hexdigest() and record["size"] == len(READS)
    assert (record["kind"], record["compression"]) == ("fastq", "gzip")

    _client(s3).remove_object("hooked", f"latchlike/files/{PROJECT}/run 1/reads.fq.gz")
    assert _post(hooked, _notification("delete.json", "hooked", "run 1/reads.fq.gz")).status_code == 200
    _eventually(lambda: _file(hooked, "run 1/reads.fq.gz").status_code == 404)


def test_our_own_uploads_echoed_by_the_bucket_change_nothing(hooked: RunningServer) -> None:
    put = httpx.put(f"{hooked.url}/api/files/{PROJECT}/mine.fq.gz", content=READS, timeout=10)
    assert put.status_code == 201, put.text
    before = _file(hooked, "mine.fq.gz").json()
    assert _post(hooked, _notification("put.json", "hooked", "mine.fq.gz", len(READS))).status_code == 200
    assert _post(hooked, _notification("delete.json", "hooked", "mine.fq.gz")).status_code == 200
    time.sleep(1)
    after = _file(hooked, "mine.fq.gz").json()
    del before["qc"], after["qc"]  # its QC moves on by itself meanwhile
    assert after == before


@pytest.mark.parametrize(
    ("authorization", "status"),
    [(None, 401), ("Bearer wrong", 401), (TOKEN, 401), ("Bearer \u00e9t\u00e9", 401), (f"Bearer {TOKEN}", 400)],
)
def test_only_the_token_gets_in_and_a_malformed_body_is_refused(
    s3: S3Server, hooked: RunningServer, authorization: str | None, status: int
) -> None:
    _put_object(s3, "hooked", "sneaky.txt", b"x")
    body = _notification("put.json", "hooked", "sneaky.txt", 1)
    if status == 400:
        del body["Records"][0]["s3"]["object"]["key"]
    answer = _post(hooked, body, authorization)
    assert answer.status_code == status, answer.text
    assert "Authorization" in answer.json()["message"] or "s3.object.key" in answer.json()["message"]
    time.sleep(0.3)
    assert _file(hooked, "sneaky.txt").status_code == 404


def test_without_a_token_the_webhook_is_off_and_the_periodic_scan_finds_objects(
    s3: S3Server, tmp_path: Path, database: str
) -> None:
    with _server(s3, tmp_path / "data", "scanned", LATCHLIKE_RECONCILE_INTERVAL_SECONDS="1") as server:
        answer = _post(server, _notification("put.json", "scanned", "a.txt", 1))
        assert answer.status_code == 404 and "LATCHLIKE_BUCKET_EVENTS_TOKEN" in answer.json()["message"]
        _put_object(s3, "scanned", "late/arrival.csv", b"a,b\n1,2\n")
        _eventually(lambda: _file(server, "late/arrival.csv").status_code == 200)
        assert _file(server, "late/arrival.csv").json()["kind"] == "csv"
        _client(s3).remove_object("scanned", f"latchlike/files/{PROJECT}/late/arrival.csv")
        _eventually(lambda: _file(server, "late/arrival.csv").status_code == 404)
