"""A real S3 protocol server on loopback for the store tests: nanio, from its own venv
(`scripts/test` installs it), keeping objects under a temporary directory."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.server import free_port

NANIO = Path(__file__).resolve().parents[1] / ".venv-s3" / "bin" / "nanio"
START_SECONDS = 30


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str

    def env(self, bucket: str) -> dict[str, str]:
        """latchlike's settings for a store in `bucket` on this server."""
        return {"LATCHLIKE_STORE_URL": f"s3://{bucket}/latchlike", "LATCHLIKE_S3_ENDPOINT": self.endpoint,
                "LATCHLIKE_S3_ACCESS_KEY": self.access_key, "LATCHLIKE_S3_SECRET_KEY": self.secret_key}  # fmt: skip


@contextmanager
def s3_server(data_dir: Path) -> Iterator[S3Server]:
    if not NANIO.exists():
        raise RuntimeError(f"{NANIO} is missing: run scripts/test (it installs the S3 test server)")
    port = free_port()
    server = S3Server(f"http://127.0.0.1:{port}", "latchlike-test", "not-a-real-secret-but-long-enough")
    env = {**os.environ, "NANIO_ACCESS_KEY": server.access_key, "NANIO_SECRET_KEY": server.secret_key}
    command = [str(NANIO), "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port),
               "--no-access-log", "--log-level", "warning"]  # fmt: skip
    with (data_dir.parent / f"nanio-{port}.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                httpx.get(server.endpoint, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nanio did not start (exit {process.poll()})") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(10)
