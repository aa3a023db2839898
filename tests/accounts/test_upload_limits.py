"""A workspace's upload limit, on every way a file comes in: HTTP PUT (with and without a
Content-Length), tus creation and PATCH, a signed upload URL, and `latchlike files add`.
A workspace without a limit of its own takes the server's."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from latchlike.accounts.users import create_workspace
from latchlike.app import create_app
from latchlike.config import Settings
from latchlike.platform import Platform
from latchlike.specs.projects import ensure_project
from latchlike.store.keys import upload_key
from latchlike.uploads.signing import UploadGrant
from tests.server import LOCAL_BASE_URL

SERVER_LIMIT = 5000
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=data_dir, grpc_port=0, run_engine=False, register_builtin_workflows=False,
                        max_upload_bytes=SERVER_LIMIT)  # fmt: skip
    with TestClient(create_app(settings), base_url=LOCAL_BASE_URL) as client:
        platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
        with platform.db.session() as session:
            create_workspace(session, workspace_id="lab-b")
            ensure_project(session, project_id="pb", workspace="lab-b")
        yield client


def _limit(client: TestClient, max_upload_bytes: int | None) -> None:
    answer = client.put("/api/workspaces/default/limits", json={"max_upload_bytes": max_upload_bytes})
    assert answer.status_code == 200, answer.text


def _refused(answer: httpx.Response, limit: int) -> None:
    assert answer.status_code == 413, answer.text
    assert f"upload limit of {limit} bytes" in answer.json()["message"]


def test_a_put_over_the_workspaces_limit_is_refused_and_leaves_nothing(client: TestClient) -> None:
    _limit(client, 1000)
    _refused(client.put("/api/files/flytesnacks/big.txt", content=b"x" * 1001), 1000)  # said up front
    _refused(client.put("/api/files/flytesnacks/big.txt", content=iter([b"x" * 600, b"x" * 401])), 1000)  # counted
    assert client.get("/api/files/flytesnacks/big.txt").status_code == 404
    assert client.put("/api/files/flytesnacks/big.txt", content=b"x" * 1000).status_code == 201
    # Another workspace has no limit of its own: the server's applies there.
    assert client.put("/api/files/pb/big.txt", content=b"x" * 1001).status_code == 201
    _refused(client.put("/api/files/pb/bigger.txt", content=b"x" * (SERVER_LIMIT + 1)), SERVER_LIMIT)
    _limit(client, None)
    assert client.put("/api/files/flytesnacks/big.txt", content=b"x" * 1001).status_code == 200


def test_tus_announces_the_limit_refuses_a_longer_upload_and_a_patch_once_lowered(client: TestClient) -> None:
    _limit(client, 1000)
    assert client.options("/api/tus/flytesnacks").headers["Tus-Max-Size"] == "1000"
    assert client.options("/api/tus/pb").headers["Tus-Max-Size"] == str(SERVER_LIMIT)
    metadata = "path " + base64.b64encode(b"tus.bin").decode()
    too_long = client.post(
        "/api/tus/flytesnacks", headers={**TUS, "Upload-Length": "1001", "Upload-Metadata": metadata}
    )
    _refused(too_long, 1000)
    created = client.post("/api/tus/flytesnacks", headers={**TUS, "Upload-Length": "900", "Upload-Metadata": metadata})
    assert created.status_code == 201, created.text
    _limit(client, 500)
    patch = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    _refused(client.patch(created.headers["Location"], content=b"x" * 900, headers=patch), 500)
    assert client.get("/api/files/flytesnacks/tus.bin").status_code == 404


def test_a_signed_upload_over_its_projects_limit_is_refused(client: TestClient) -> None:
    _limit(client, 500)
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    body = b"y" * 501
    md5 = hashlib.md5(body).digest()
    grant = UploadGrant(key=upload_key("flytesnacks", "development", "root", "bundle.tgz"), md5_hex=md5.hex(),
                        expires=int(time.time()) + 600)  # fmt: skip
    url = platform.signer.signed_url(grant).split("/upload/", 1)[1]
    headers = {"Content-MD5": base64.b64encode(md5).decode()}
    _refused(client.put("/upload/" + url, content=body, headers=headers), 500)
    _limit(client, None)
    assert client.put("/upload/" + url, content=body, headers=headers).status_code == 201


def test_files_add_is_refused_over_the_limit(client: TestClient, data_dir: Path, tmp_path: Path) -> None:
    _limit(client, 500)
    source = tmp_path / "reads.txt"
    source.write_bytes(b"z" * 501)
    command = [sys.executable, "-m", "latchlike", "files", "add", str(source), "--project", "flytesnacks",
               "--data-dir", str(data_dir)]  # fmt: skip
    refused = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert refused.returncode != 0 and "upload limit of 500 bytes" in refused.stderr
    assert client.get("/api/files/flytesnacks/reads.txt").status_code == 404
    source.write_bytes(b"z" * 500)
    added = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert added.returncode == 0, added.stderr
