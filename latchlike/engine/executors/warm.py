"""The executor's side of the fork server (`forkserver.py`): start it once, send it task
attempts, learn each child's pid and exit code."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

LOG_TAIL_LINES = 20


@dataclass(frozen=True)
class Fork:
    """One task attempt for the fork server."""

    key: str
    entry: str
    """The flytekit entry point: pyflyte-execute or pyflyte-map-execute."""
    args: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    cores: list[int] | None = None
    """The CPU cores the task may run on (its CPU limit); None: any."""
    read_only: list[str] = field(default_factory=list)
    """Folders mounted read-only for the task (`sandbox`)."""


def _kill_group(started: asyncio.Future[int]) -> None:
    """A child just forked has not made its own process group yet: then kill it alone
    (it has started nothing of its own)."""
    if started.cancelled() or started.exception() is not None:
        return
    try:
        os.killpg(started.result(), signal.SIGKILL)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(started.result(), signal.SIGKILL)


class WarmWorker:
    def __init__(self, log_path: Path) -> None:
        self._log_path = log_path
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._started: dict[str, asyncio.Future[int]] = {}
        self._ended: dict[str, asyncio.Future[int]] = {}
        self._logs: dict[str, Path] = {}
        self._lock = asyncio.Lock()

    async def _ensure(self) -> asyncio.subprocess.Process:
        async with self._lock:
            if self._process is None or self._process.returncode is not None:
                self._log_path.parent.mkdir(parents=True, exist_ok=True)
                with self._log_path.open("ab") as log:
                    self._process = await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "latchlike.engine.executors.forkserver",
                        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log,
                    )  # fmt: skip
                self._reader = asyncio.create_task(self._read(self._process))
            return self._process

    async def run(
        self, fork: Fork, timeout: float | None, on_start: Callable[[int], None] | None = None
    ) -> tuple[int, bool]:
        """Run the fork's flytekit entry point in a forked child: (exit code, whether it timed
        out). `on_start` gets the child's pid (its process group) once it exists."""
        process = await self._ensure()
        loop = asyncio.get_running_loop()
        key = fork.key
        self._started[key], self._ended[key] = loop.create_future(), loop.create_future()
        self._logs[key] = fork.log
        if on_start is not None:
            self._started[key].add_done_callback(lambda started: on_start(started.result()))
        request = {**asdict(fork), "cwd": str(fork.cwd), "log": str(fork.log)}
        assert process.stdin is not None
        process.stdin.write(json.dumps(request).encode() + b"\n")
        await process.stdin.drain()
        ended = self._ended[key]
        try:
            return await asyncio.wait_for(asyncio.shield(ended), timeout), False
        except TimeoutError:
            await self.cancel(key)
            return await ended, True
        finally:
            self._started.pop(key, None)
            self._ended.pop(key, None)
            self._logs.pop(key, None)

    async def cancel(self, key: str) -> None:
        """Kills the attempt's process group now, or as soon as the fork server reports it:
        a timeout or an abort may come while the server still imports the task's module."""
        started = self._started.get(key)
        if started is not None:
            started.add_done_callback(_kill_group)

    async def close(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            message = json.loads(line)
            key = message["key"]
            if "pid" in message and key in self._started:
                self._started[key].set_result(int(message["pid"]))
            elif "exit" in message and key in self._ended:
                self._ended[key].set_result(int(message["exit"]))
        # The server died: every attempt it held ends as a crash (the engine retries), and
        # says why in its own log, which the execution page shows.
        exit_code = await process.wait()
        for key, future in self._ended.items():
            if not future.done():
                self._tell(key, f"the fork server that starts task processes stopped (exit code {exit_code})")
                future.set_result(-1)

    def _tell(self, key: str, what: str) -> None:
        """Append what happened to the attempt's log, with the end of the fork server's log."""
        try:
            tail = self._log_path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        except OSError:
            tail = []
        lines = [f"latchlike: {what}; the end of its log ({self._log_path}):", *tail]
        with contextlib.suppress(OSError), self._logs[key].open("a") as log:
            log.write("\n".join(lines) + "\n")
