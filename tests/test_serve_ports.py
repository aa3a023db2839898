"""A second `latchlike serve` on a port the first one holds exits at once, non-zero, with one
line naming the port (no traceback), instead of sharing it: for the gRPC port (grpc would
share it by default) and the web port alike."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import START_TIMEOUT_SECONDS, RunningServer, free_port, start_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("first") / "data", builtins=False)
    try:
        yield running
    finally:
        running.stop()


def _second_server(data_dir: Path, *, http_port: int, grpc_port: int) -> subprocess.CompletedProcess[str]:
    """Runs a second server to its end; one that is still serving after the start timeout is
    killed and fails the test."""
    environment = {
        **os.environ,
        "LATCHLIKE_DATABASE_URL": f"sqlite:///{data_dir / 'latchlike.db'}",
        "LATCHLIKE_DATA_DIR": str(data_dir),
        "LATCHLIKE_HOST": "127.0.0.1",
        "LATCHLIKE_HTTP_PORT": str(http_port),
        "LATCHLIKE_GRPC_PORT": str(grpc_port),
        "LATCHLIKE_REGISTER_BUILTIN_WORKFLOWS": "false",
    }
    command = [sys.executable, "-m", "latchlike", "serve"]
    try:
        return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as running:
        pytest.fail(f"the second server is still serving on the taken port:\n{running.output!r}")


def test_a_second_server_on_the_same_grpc_port_exits_naming_it(first: RunningServer, tmp_path: Path) -> None:
    ended = _second_server(tmp_path / "second", http_port=free_port(), grpc_port=first.grpc_port)
    assert ended.returncode != 0
    line = f"latchlike: port {first.grpc_port} on 127.0.0.1 is in use"
    assert line in ended.stderr and "--grpc-port" in ended.stderr, ended.stderr
    assert "Traceback" not in ended.stdout + ended.stderr


def test_a_second_server_on_the_same_web_port_exits_naming_it(first: RunningServer, tmp_path: Path) -> None:
    ended = _second_server(tmp_path / "second", http_port=first.http_port, grpc_port=free_port())
    assert ended.returncode != 0
    line = f"latchlike: port {first.http_port} on 127.0.0.1 is in use"
    assert line in ended.stderr and "--http-port" in ended.stderr, ended.stderr
    assert "Traceback" not in ended.stdout + ended.stderr
