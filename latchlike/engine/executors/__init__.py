"""Executors run one task attempt each and report how it ended; they never touch the
database (the engine loop is the one writer) and never decide success: the engine reads
`outputs.pb` / `error.pb` from the store, since `pyflyte-execute` exits 0 on user errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class TaskRun:
    key: str
    """Unique per execution, node and attempt; names the process (or pod) and its log."""
    command: tuple[str, ...]
    env: Mapping[str, str]
    timeout_seconds: float | None = None
    """The task's declared timeout: past it the attempt is killed."""


@dataclass(frozen=True)
class RunResult:
    key: str
    exit_code: int
    log_path: Path | None
    timed_out: bool = False


class Executor(Protocol):
    async def run(self, run: TaskRun) -> RunResult:
        """Run to the end (or until cancelled) and say how the process ended."""

    async def cancel(self, key: str) -> None: ...

    def log(self, key: str) -> str:
        """What the attempt printed so far."""
