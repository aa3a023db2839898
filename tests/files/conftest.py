"""Both stores, for the tests that must hold on each: the local directory and a real S3 server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from latchlike.store import FileStore, open_store
from tests.s3 import S3Server, s3_server


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("nanio")) as server:
        yield server


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return open_store((tmp_path / "store").as_uri())
    server: S3Server = request.getfixturevalue("s3")
    return open_store(f"s3://{tmp_path.name.lower().replace('_', '-')[:40]}/prefix", s3_endpoint=server.endpoint,
                      s3_access_key=server.access_key, s3_secret_key=server.secret_key)  # fmt: skip
