"""Executors run one task attempt each and report how it ended; they never touch the
database (the engine loop is the one writer) and never decide success: the engine reads
`outputs.pb` / `error.pb` from the store, since `pyflyte-execute` exits 0 on user errors."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from latchlike.engine.contract import PodTemplate
from latchlike.engine.executors.secrets import TaskSecrets


@dataclass(frozen=True)
class TaskRun:
    key: str
    """Unique per execution, node and attempt; names the process (or pod) and its log."""
    command: tuple[str, ...]
    """The container's command and args, template variables filled in."""
    env: Mapping[str, str]
    """The task's own environment (the template's and what flytekit reads of its execution);
    each executor adds what its processes need to find their tools and the store."""
    timeout_seconds: float | None = None
    """The task's declared timeout: past it the attempt is killed."""
    image: str = ""
    requests: Mapping[str, str] = field(default_factory=dict)
    limits: Mapping[str, str] = field(default_factory=dict)
    """Resources by Kubernetes name (`cpu`, `memory`, …), as the task declares them."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """What the attempt belongs to (execution, workflow, node), for whoever lists runs."""
    user_labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    """The execution's `--labels` and `--annotations`, which a cluster executor puts on its pods as they are."""
    pod: PodTemplate | None = None
    """The task's own pod template, which a cluster executor starts from."""
    secrets: TaskSecrets | None = None
    """What the task's `secret_requests` resolved to in its workspace; never in `env`, so
    nothing that shows a run's environment shows them."""
    resume: bool = False
    """The attempt was running when the server stopped: wait for its process (or pod) if it
    still runs; if nothing is left of it, report it `lost` instead of starting it again, so
    the engine records it and runs a new attempt."""


@dataclass(frozen=True)
class RunResult:
    key: str
    exit_code: int
    """-1 when no container exit code exists (evicted, never scheduled, runner lost)."""
    log_path: Path | None
    timed_out: bool = False
    out_of_memory: str | None = None
    """Why the attempt was stopped for using more memory than its limit; None if it was not."""
    lost: bool = False
    """A resumed attempt whose process (or pod) was gone: it never ran to an end here."""


class Executor(Protocol):
    async def run(self, run: TaskRun) -> RunResult:
        """Run to the end (or until cancelled) and say how the process ended."""

    async def cancel(self, key: str) -> None: ...

    async def ended(self, project: str, domain: str, execution: str) -> None:
        """The execution ended, none of its attempts runs again: what they left may go.
        Returns at once; the clean-up, if any, goes on in the background."""

    async def sweep(self, active: Collection[tuple[str, str, str]]) -> None:
        """The engine starts, and these executions (project, domain, name) are still active:
        what any other execution's attempts left (it ended while the server was down, before
        `ended` could clean up) may go. Returns once it knows what is left; the clean-up
        goes on in the background."""

    def log(self, key: str) -> str:
        """What the attempt printed so far."""

    async def forget_secret(self, workspace: str, group: str, key: str) -> None:
        """The workspace's secret `group`/`key` was deleted: remove its value from wherever
        this executor put it for tasks. Unavailable if that place could not be reached."""

    async def close(self) -> None: ...
