"""Launches through a real server's queue: a 201 means the execution is recorded even if the
server is killed the moment after, and what a launch answers is what reading it back shows."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from latchlike.db import Database
from latchlike.executions.tables import ExecutionRow
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
HELLO = "/api/workflows/flytesnacks/development/workflows.hello.hello_world/executions"
LAUNCHES = 80


async def _post(server: RunningServer, i: int) -> str | None:
    """The execution name of one launch's 201, or None if the server went away first."""
    body = json.dumps({"inputs": {"name": f"crash-{i}"}}).encode()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.http_port)
        head = (f"POST {HELLO} HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # a loopback Host: local mode refuses others
                f"Content-Type: application/json\r\nContent-Length: {len(body)}")  # fmt: skip
        writer.write(f"{head}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        response = await reader.read()
        writer.close()
    except OSError:
        return None
    if not response.startswith(b"HTTP/1.1 201"):
        return None
    name: str = json.loads(response.partition(b"\r\n\r\n")[2])["name"]
    return name


def test_every_launch_answered_201_survives_a_kill_9_right_after(tmp_path: Path, database: str) -> None:
    server = start_server(tmp_path / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})

    async def burst_then_kill() -> list[str]:
        answers: list[str] = []

        async def one(i: int) -> None:
            name = await _post(server, i)
            if name is not None:
                answers.append(name)
                if len(answers) == 1:  # the first answer is out: kill the server at once
                    server.process.send_signal(signal.SIGKILL)

        await asyncio.gather(*(one(i) for i in range(LAUNCHES)))
        return answers

    try:
        answered = asyncio.run(burst_then_kill())
    finally:
        server.process.kill()
        server.process.wait()
    assert answered
    db = Database(server.database_url)
    try:
        with db.session() as session:
            recorded = set(session.scalars(select(ExecutionRow.name).where(ExecutionRow.name.in_(answered))))
    finally:
        db.dispose()
    assert recorded == set(answered)


def test_a_launch_answers_what_reading_the_execution_back_shows(tmp_path: Path, database: str) -> None:
    server = start_server(tmp_path / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})
    try:
        launched = httpx.post(server.url + HELLO, json={"inputs": {"name": "same"}}, timeout=60)
        assert launched.status_code == 201, launched.text
        answer = launched.json()
        read = httpx.get(f"{server.url}/api/executions/flytesnacks/development/{answer['name']}", timeout=60).json()
    finally:
        server.stop()
    assert answer == read
    assert answer["phase"] == "QUEUED" and answer["graph"]["nodes"] and answer["tasks"]
