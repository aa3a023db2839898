"""The production store: objects in an S3 bucket (MinIO, or any S3-compatible server),
through the `minio` SDK. Tasks reach the same objects by their `s3://` URIs, with the
endpoint and credentials `task_env` gives them (flytekit's `FLYTE_AWS_*` settings)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from minio import Minio
from minio.commonconfig import CopySource
from minio.error import S3Error

from latchlike.errors import InvalidArgument, NotFound
from latchlike.store import StoredObject
from latchlike.store.keys import check_key

SPOOL_BYTES = 8 * 1024 * 1024
"""An object read from the bucket stays in memory up to this size, then goes to a temp file."""
_MISSING = frozenset({"NoSuchKey", "NoSuchObject", "NotFound"})


class S3FileStore:
    def __init__(self, client: Minio, bucket: str, prefix: str, *, endpoint: str, access_key: str, secret_key: str):
        self._client = client
        self._bucket = bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._task_env = {
            "FLYTE_AWS_ENDPOINT": endpoint,
            "FLYTE_AWS_ACCESS_KEY_ID": access_key,
            "FLYTE_AWS_SECRET_ACCESS_KEY": secret_key,
        }
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def prefix(self) -> str:
        """Where this store's keys start in the bucket: '' or 'some/prefix/'."""
        return self._prefix

    def _name(self, key: str) -> str:
        return self._prefix + check_key(key)

    def uri(self, key: str) -> str:
        return f"s3://{self._bucket}/{self._name(key)}"

    def key_of(self, uri: str) -> str | None:
        start = f"s3://{self._bucket}/{self._prefix}"
        if not uri.startswith(start) or uri == start:
            return None
        try:
            return check_key(uri.removeprefix(start))
        except InvalidArgument:
            return None

    def list(self, prefix: str) -> list[StoredObject]:
        found = self._client.list_objects(self._bucket, prefix=self._prefix + prefix, recursive=True)
        return sorted(
            (StoredObject(item.object_name.removeprefix(self._prefix), item.size or 0) for item in found
             if item.object_name is not None),
            key=lambda item: item.key,
        )  # fmt: skip

    def exists(self, key: str) -> bool:
        try:
            self._client.stat_object(self._bucket, self._name(key))
        except S3Error as error:
            if error.code in _MISSING:
                return False
            raise
        return True

    def put_file(self, key: str, source: Path) -> None:
        """One PUT (multipart for large files): S3 shows an object whole or not at all."""
        self._client.fput_object(self._bucket, self._name(key), str(source))
        source.unlink()

    def open(self, key: str) -> BinaryIO:
        try:
            response = self._client.get_object(self._bucket, self._name(key))
        except S3Error as error:
            if error.code in _MISSING:
                raise NotFound(f"no object {key!r} in the store") from None
            raise
        spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  # the caller closes it
        try:
            for chunk in response.stream(1024 * 1024):
                spooled.write(chunk)
        finally:
            response.close()
            response.release_conn()
        spooled.seek(0)
        return spooled  # type: ignore[return-value]  # a binary file object

    def stream(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        try:
            response = self._client.get_object(self._bucket, self._name(key), offset=start, length=length or 0)
        except S3Error as error:
            if error.code in _MISSING:
                raise NotFound(f"no object {key!r} in the store") from None
            raise
        try:
            yield from response.stream(1024 * 1024)
        finally:
            response.close()
            response.release_conn()

    def move(self, source: str, target: str) -> None:
        """A server-side copy, then the source is removed: S3 has no rename."""
        try:
            self._client.copy_object(self._bucket, self._name(target), CopySource(self._bucket, self._name(source)))
        except S3Error as error:
            if error.code in _MISSING:
                raise NotFound(f"no object {source!r} in the store") from None
            raise
        self._client.remove_object(self._bucket, self._name(source))

    def delete(self, key: str) -> None:
        self._client.remove_object(self._bucket, self._name(key))

    def task_env(self) -> dict[str, str]:
        """What a task process needs to read and write this bucket with flytekit."""
        return dict(self._task_env)


def open_s3_store(url: str, *, endpoint: str, access_key: str, secret_key: str) -> S3FileStore:
    """`s3://bucket/optional/prefix`; `endpoint` is the server's URL (http://host:port)."""
    parsed = urlparse(url)
    if not parsed.netloc:
        raise InvalidArgument(f"store URL {url!r} names no bucket (s3://bucket/prefix)")
    if not endpoint:
        raise InvalidArgument("an s3:// store needs LATCHLIKE_S3_ENDPOINT (e.g. http://minio:9000)")
    server = urlparse(endpoint)
    if server.scheme not in ("http", "https") or not server.netloc:
        raise InvalidArgument(f"S3 endpoint {endpoint!r} must be an http:// or https:// URL")
    client = Minio(server.netloc, access_key=access_key, secret_key=secret_key, secure=server.scheme == "https")
    return S3FileStore(
        client, parsed.netloc, parsed.path, endpoint=endpoint, access_key=access_key, secret_key=secret_key
    )
