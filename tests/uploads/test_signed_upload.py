"""Signed upload URLs as pyflyte uses them: a good upload lands, every bad one stores nothing."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import grpc
import httpx
import pytest
from flyteidl.service import dataproxy_pb2, dataproxy_pb2_grpc
from google.protobuf.duration_pb2 import Duration

from tests.server import RunningServer, start_server

BODY = b"@read1\nACGT\n+\nIIII\n" * 100


@pytest.fixture(scope="module")
def small_limit_server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(
        tmp_path_factory.mktemp("limited") / "data", builtins=False, env={"LATCHLIKE_MAX_UPLOAD_BYTES": "1000"}
    )
    yield running
    running.stop()


def upload_location(
    server: RunningServer, body: bytes, *, filename: str = "reads.fastq", project: str = "flytesnacks", ttl: int = 0
) -> dataproxy_pb2.CreateUploadLocationResponse:
    request = dataproxy_pb2.CreateUploadLocationRequest(
        project=project, domain="development", filename=filename, content_md5=hashlib.md5(body).digest()
    )
    if ttl:
        request.expires_in.CopyFrom(Duration(seconds=ttl))
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        return dataproxy_pb2_grpc.DataProxyServiceStub(channel).CreateUploadLocation(request, timeout=10)


def put(url: str, body: bytes, md5_of: bytes | None = None) -> httpx.Response:
    md5 = base64.b64encode(hashlib.md5(body if md5_of is None else md5_of).digest()).decode()
    return httpx.put(url, content=body, headers={"Content-MD5": md5, "Content-Length": str(len(body))})


def stored_path(server: RunningServer, native_url: str) -> Path:
    path = Path(urlparse(native_url).path)
    assert path.is_relative_to(server.data_dir / "store")
    return path


def with_query(url: str, **changes: str) -> str:
    parts = urlparse(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunparse(parts._replace(query=urlencode(query)))


def test_valid_upload_is_stored_and_idempotent(server: RunningServer) -> None:
    location = upload_location(server, BODY)
    assert location.signed_url.startswith(server.url)
    assert location.expires_at.ToDatetime().timestamp() > time.time()
    assert put(location.signed_url, BODY).status_code == 201
    assert stored_path(server, location.native_url).read_bytes() == BODY
    assert put(location.signed_url, BODY).status_code == 201  # the same bytes again are fine


def test_tampered_signature_is_refused(server: RunningServer) -> None:
    body = BODY + b"tampered"
    location = upload_location(server, body)
    signature = parse_qs(urlparse(location.signed_url).query)["signature"][0]
    forged = with_query(location.signed_url, signature=("A" if signature[0] != "A" else "B") + signature[1:])
    response = put(forged, body)
    assert response.status_code == 403
    assert "signature does not match" in response.json()["message"]
    # A signature that is not even ASCII is refused the same way, not a 500.
    assert put(with_query(location.signed_url, signature="é" + signature[1:]), body).status_code == 403
    # Pointing a valid signature at another key is refused too.
    other_key = location.signed_url.replace("reads.fastq", "other.fastq")
    assert put(other_key, body).status_code == 403
    assert not stored_path(server, location.native_url).exists()


def test_expired_url_is_refused(server: RunningServer) -> None:
    body = BODY + b"expired"
    location = upload_location(server, body, ttl=1)
    expires = int(parse_qs(urlparse(location.signed_url).query)["expires"][0])
    time.sleep(max(0.0, expires - time.time()) + 1.1)
    response = put(location.signed_url, body)
    assert response.status_code == 403
    assert "expired" in response.json()["message"]
    assert not stored_path(server, location.native_url).exists()


def test_wrong_md5_is_refused(server: RunningServer) -> None:
    body = BODY + b"md5"
    location = upload_location(server, body)
    # Header claims other content than the URL was issued for.
    header_mismatch = put(location.signed_url, body, md5_of=b"something else")
    assert header_mismatch.status_code == 400
    assert "Content-MD5 header does not match" in header_mismatch.json()["message"]
    # Header is right but the bytes sent are not.
    corrupted = httpx.put(
        location.signed_url,
        content=body[:-1] + b"X",
        headers={"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()},
    )
    assert corrupted.status_code == 400
    assert "do not match Content-MD5" in corrupted.json()["message"]
    missing = httpx.put(location.signed_url, content=body)
    assert missing.status_code == 400
    assert not stored_path(server, location.native_url).exists()
    assert not any((server.data_dir / "staging").iterdir())


def test_upload_over_the_limit_is_refused(small_limit_server: RunningServer) -> None:
    location = upload_location(small_limit_server, BODY)
    response = put(location.signed_url, BODY)
    assert response.status_code == 413
    assert not stored_path(small_limit_server, location.native_url).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filename": "../escape.txt"}, "filename '../escape.txt' is not a safe name"),
        ({"filename": ".."}, "filename '..' is not a safe name"),
        ({"filename": "reads.fastq\n"}, "is not a safe name"),
        ({"filename": "/etc/passwd"}, "is not a safe name"),
        ({"project": "nowhere"}, "project 'nowhere' does not exist"),
    ],
)
def test_bad_upload_requests_are_invalid_arguments(server: RunningServer, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        upload_location(server, BODY, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in caught.value.details()


def test_ttl_is_capped(server: RunningServer) -> None:
    location = upload_location(server, BODY, ttl=int(timedelta(days=30).total_seconds()))
    assert location.expires_at.ToDatetime().timestamp() <= time.time() + 3600 + 5


def test_an_upload_without_a_checksum_needs_a_root_and_takes_any_bytes(server: RunningServer) -> None:
    request = dataproxy_pb2.CreateUploadLocationRequest(project="flytesnacks", domain="development")
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        stub = dataproxy_pb2_grpc.DataProxyServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.CreateUploadLocation(request, timeout=10)
        assert "content_md5 or filename_root" in refused.value.details()
        request.filename_root = "frame.parquet"
        location = stub.CreateUploadLocation(request, timeout=10)
    assert httpx.put(location.signed_url, content=BODY).status_code == 201
    assert stored_path(server, location.native_url).read_bytes() == BODY
    tampered = with_query(location.signed_url, md5=hashlib.md5(b"other").hexdigest())
    assert httpx.put(tampered, content=b"other").status_code == 403
