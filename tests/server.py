"""Runs a real `latchlike serve` process for tests, on free ports with its own data dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    data_dir: Path
    http_port: int
    grpc_port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    database_url: str
    """Where the server keeps its records: its SQLite file, or its own PostgreSQL database."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_endpoint(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def flytekit_config(self) -> Path:
        """The file `latchlike config flytekit` prints, written beside the data dir."""
        path = self.data_dir.parent / f"flytekit-{self.grpc_port}.yaml"
        ports = ["--grpc-port", str(self.grpc_port), "--http-port", str(self.http_port)]
        output = subprocess.run(
            [sys.executable, "-m", "latchlike", "config", "flytekit", *ports],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "LATCHLIKE_HOST": "127.0.0.1"},
        ).stdout
        path.write_text(output)
        return path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(data_dir: Path, *, builtins: bool = True, env: dict[str, str] | None = None) -> RunningServer:
    """A server on `data_dir` (and, on a PostgreSQL test run, on the database kept for that
    directory, so a restart on the same directory finds its records again)."""
    from tests.postgres import server_database  # it starts PostgreSQL with this module's free_port

    http_port, grpc_port = free_port(), free_port()
    log_path = data_dir.parent / f"server-{http_port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = server_database(data_dir) or f"sqlite:///{data_dir.resolve() / 'latchlike.db'}"
    environment = {
        **os.environ,
        "LATCHLIKE_DATABASE_URL": database_url,
        "LATCHLIKE_DATA_DIR": str(data_dir),
        "LATCHLIKE_HOST": "127.0.0.1",
        "LATCHLIKE_HTTP_PORT": str(http_port),
        "LATCHLIKE_GRPC_PORT": str(grpc_port),
        "LATCHLIKE_REGISTER_BUILTIN_WORKFLOWS": "true" if builtins else "false",
        **(env or {}),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "latchlike", "serve"], env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    server = RunningServer(data_dir, http_port, grpc_port, process, log_path, database_url)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"latchlike serve exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/api/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"latchlike serve did not become ready:\n{server.log()}")
