"""A real `latchlike serve` on free loopback ports, for the benchmarks that talk HTTP to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(data_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """The server (its log beside `data_dir`) and its HTTP port, once `/api/health` answers."""
    http_port = free_port()
    environment = {
        **os.environ,
        "LATCHLIKE_DATA_DIR": str(data_dir),
        "LATCHLIKE_HOST": "127.0.0.1",
        "LATCHLIKE_HTTP_PORT": str(http_port),
        "LATCHLIKE_GRPC_PORT": str(free_port()),
        **env,
    }
    log_path = data_dir.parent / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "latchlike", "serve"],
        env=environment,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"latchlike serve exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{http_port}/api/health", timeout=1).status_code == 200:
                return process, http_port
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.2)
    process.kill()
    raise SystemExit("latchlike serve did not become ready")
