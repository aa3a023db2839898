"""Runs a real `latchlike serve` process for tests, on free ports with its own data dir."""

from __future__ import annotations

import itertools
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.builtin_seed import seed_sqlite, seedable
from tests.database_scope import refuse_unless_marked

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 60
LOCAL_BASE_URL = "http://localhost"
"""For in-process `TestClient`s: its default host, `testserver`, is not a name a server without
accounts answers to (latchlike/web/hosts.py)."""


FIRST_PORT = 10_000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port() -> int:
    """A free loopback port that no other worker of this test run is handed.

    A port from `bind(0)` is free only until the server binds it, seconds later (it imports
    first), and another xdist worker's `bind(0)` or outgoing connection may take it meanwhile
    (the server then refuses to start: it shares no port). So each
    worker takes its ports in turn from its own slice of the range below the kernel's ephemeral
    ports, where neither `bind(0)` nor outgoing connections land, skipping any held already."""
    for _ in range(len(_PORTS)):
        port = _PORTS[next(_turns) % len(_PORTS)]
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {_PORTS}")


def _worker_ports() -> range:
    first_ephemeral = int(EPHEMERAL_RANGE.read_text().split()[0]) if EPHEMERAL_RANGE.exists() else 32_768
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    size = (first_ephemeral - FIRST_PORT) // workers
    return range(FIRST_PORT + worker * size, FIRST_PORT + (worker + 1) * size)


_PORTS = _worker_ports()
# From a random place: two test runs on one machine (two checkouts) then rarely meet.
_turns = itertools.count(random.randrange(len(_PORTS)))


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


def start_server(
    data_dir: Path, *, builtins: bool = True, env: dict[str, str] | None = None, http_port: int | None = None
) -> RunningServer:
    """A server on `data_dir` (and, on a PostgreSQL test run, on the database kept for that
    directory, so a restart on the same directory finds its records again). `http_port`
    restarts a server where its open pages keep asking."""
    from tests.postgres import server_database  # it starts PostgreSQL with this module's free_port

    refuse_unless_marked(f"started a server on {data_dir}")
    http_port, grpc_port = http_port or free_port(), free_port()
    log_path = data_dir.parent / f"server-{http_port}-{grpc_port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    seeded = seedable(builtins, {**os.environ, **(env or {})})
    database_url = server_database(data_dir, builtins=seeded) or f"sqlite:///{data_dir.resolve() / 'latchlike.db'}"
    if seeded and database_url.startswith("sqlite") and not (data_dir / "latchlike.db").exists():
        seed_sqlite(data_dir / "latchlike.db")
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


def module_server(*, builtins: bool = True, engine: bool = True) -> Callable[..., Iterator[RunningServer]]:
    """A module-scoped `server` fixture: one server for a test module, stopped after it.
    `engine=False` for tests of what pages and APIs record, where nothing should run."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
        env = None if engine else {"LATCHLIKE_RUN_ENGINE": "false"}
        running = start_server(tmp_path_factory.mktemp("server") / "data", builtins=builtins, env=env)
        yield running
        running.stop()

    return server
