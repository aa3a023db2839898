"""The embedded default executor: each task attempt is its own OS process.

Isolation: a fresh working directory and process group per attempt; stdout and stderr go
to a log file; as root, the store's input-only folders mounted read-only (`sandbox`). A
semaphore caps how many run at once. Attempts a killed server left running (orphans) are
adopted when the engine resumes them: waited for, never started twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from latchlike.engine.executors import RunResult, TaskRun, sandbox, secrets
from latchlike.engine.executors.limits import CoreChooser, MemoryWatch, memory_bytes
from latchlike.engine.executors.warm import Fork, WarmWorker

log = logging.getLogger(__name__)

PID_FILE = ".pid"
"""In an attempt's working directory while it runs: its process group."""
START_FAILED = 127
"""The exit code of an attempt whose process could not be started, as a shell reports one."""
FLYTEKIT_ENTRY_POINTS = frozenset({"pyflyte-execute", "pyflyte-map-execute", "pyflyte-fast-execute"})
SECRETS_DIR = ".secrets"
TEMP_DIR = ".tmp"
"""The task's `TMPDIR`, in its attempt's working directory, removed when the task ends:
flytekit makes a temporary folder for every task it runs and never removes it."""
"""In an attempt's working directory while it runs: its secrets mounted as files (mode 0700)."""
ORPHAN_POLL_SECONDS = 0.2
"""How often an adopted orphan (not our child: no exit to wait for) is checked."""


class LocalExecutor:
    """`warm=True` runs flytekit's entry points (`pyflyte-execute`, `pyflyte-map-execute`,
    and `pyflyte-fast-execute`, which fetches a code bundle first) through the fork server:
    tens of milliseconds instead of about a second. Any other command starts cold."""

    def __init__(
        self, root: Path, *, max_parallel: int, warm: bool = False, store_env: Mapping[str, str] | None = None,
        read_only: Sequence[Path] = (),
    ) -> None:  # fmt: skip
        """`store_env`: what tasks need to reach the store (its credentials), beyond the server's
        environment. `read_only`: folders a task may only read (a local store's input-only ones)."""
        self._root = root
        self._store_env = dict(store_env or {})
        self._read_only = _read_only_view(read_only)
        self._slots = asyncio.Semaphore(max_parallel)
        self._processes: dict[str, asyncio.subprocess.Process] = {}
        self._warm = WarmWorker(root / "logs" / "forkserver.log") if warm else None
        self._cores = CoreChooser()
        self._memory = MemoryWatch()
        self._orphans = find_orphans(root / "work")
        """Process groups a previous server left running, by run key, until adopted or cancelled."""

    def _log_path(self, key: str) -> Path:
        return self._root / "logs" / f"{key}.log"

    async def run(self, run: TaskRun) -> RunResult:
        if run.key in self._orphans and run.resume:
            return await self._adopt(run, self._orphans[run.key])
        if run.resume:
            return RunResult(run.key, -1, self._log_path(run.key), lost=True)
        if run.key in self._orphans:  # never two processes writing one attempt's outputs
            await self.cancel(run.key)
        async with self._slots:
            workdir = self._root / "work" / run.key
            workdir.mkdir(parents=True, exist_ok=True)
            log_path = self._log_path(run.key)
            log_path.parent.mkdir(parents=True, exist_ok=True)
            env = _process_env(run, self._store_env)
            secrets_dir, temp_dir = workdir / SECRETS_DIR, workdir / TEMP_DIR
            temp_dir.mkdir(exist_ok=True)
            env["TMPDIR"] = str(temp_dir)
            if run.secrets is not None:  # in the process's environment (or files), never in the run's
                secrets.write_files(run.secrets.secrets, secrets_dir)
                env |= secrets.process_env(run.secrets.secrets, secrets_dir)
            run = replace(run, command=_unpacked_in(run.command, workdir))
            cores = self._cores.cores_for(run.limits)
            over_memory: list[str] = []
            watch_memory = self._memory_watch(run, over_memory)

            def watch(group: int) -> None:
                (workdir / PID_FILE).write_text(str(group))  # for `find_orphans` after a crash
                if watch_memory is not None:
                    watch_memory(group)

            try:
                if self._warm is not None and Path(run.command[0]).name in FLYTEKIT_ENTRY_POINTS:
                    entry, args = Path(run.command[0]).name, list(run.command[1:])
                    fork = Fork(run.key, entry, args, env, workdir, log_path, cores, self._read_only)
                    exit_code, timed_out = await self._warm.run(fork, run.timeout_seconds, on_start=watch)
                else:
                    exit_code, timed_out = await self._run_cold(run, env, cores, workdir, log_path, watch)
            except (OSError, subprocess.SubprocessError) as error:
                # Said in the attempt's own log, which the execution page shows: a process that
                # never started has nothing else to tell.
                with log_path.open("a") as log:
                    log.write(f"latchlike: could not start the task process {run.command[0]!r}: {error}\n")
                exit_code, timed_out = START_FAILED, False
            finally:
                self._memory.forget_key(run.key)
                _clear_after(workdir)
            return RunResult(run.key, exit_code, log_path, timed_out, over_memory[0] if over_memory else None)

    async def _adopt(self, run: TaskRun, group: int) -> RunResult:
        """Wait for an orphan to end (its exit code is its dead parent's to read: -1), under
        the task's timeout counted from now."""
        deadline = None if run.timeout_seconds is None else time.monotonic() + run.timeout_seconds
        timed_out = False
        while _alive(group):
            if deadline is not None and time.monotonic() > deadline:
                await self.cancel(run.key)
                deadline, timed_out = None, True
            await asyncio.sleep(ORPHAN_POLL_SECONDS)
        self._orphans.pop(run.key, None)
        _clear_after(self._root / "work" / run.key)
        return RunResult(run.key, -1, self._log_path(run.key), timed_out)

    async def _run_cold(
        self, run: TaskRun, env: dict[str, str], cores: list[int] | None, workdir: Path, log_path: Path,
        watch: Callable[[int], None],
    ) -> tuple[int, bool]:  # fmt: skip
        with log_path.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                *_resolved(run.command),
                cwd=workdir,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # its own process group, so cancel reaches its children
                preexec_fn=_preexec(cores, self._read_only),
            )
        self._processes[run.key] = process
        watch(process.pid)
        try:
            return await asyncio.wait_for(process.wait(), run.timeout_seconds), False
        except TimeoutError:
            await self.cancel(run.key)
            return await process.wait(), True
        finally:
            self._processes.pop(run.key, None)

    def _memory_watch(self, run: TaskRun, over_memory: list[str]) -> Callable[[int], None] | None:
        """What starts watching the attempt's process group, when the task limits its memory."""
        if "memory" not in run.limits:
            return None
        limit = memory_bytes(run.limits["memory"])

        def exceeded(used: int) -> None:
            over_memory.append(f"the task used {used / 2**20:.0f} MiB, more than its memory limit of "
                               f"{run.limits['memory']}, and was stopped")  # fmt: skip

        return lambda group: self._memory.watch(run.key, group, limit, exceeded)

    async def close(self) -> None:
        if self._warm is not None:
            await self._warm.close()

    async def cancel(self, key: str) -> None:
        orphan = self._orphans.get(key)
        if orphan is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(orphan, signal.SIGKILL)
        if self._warm is not None:
            await self._warm.cancel(key)
        process = self._processes.get(key)
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    async def ended(self, project: str, domain: str, execution: str) -> None:
        """Nothing to clean: an attempt's process is gone when it ends, its log stays."""

    async def sweep(self, active: Collection[tuple[str, str, str]]) -> None:
        """Nothing to clean, as in `ended`."""

    async def forget_secret(self, workspace: str, group: str, key: str) -> None:
        """Nothing kept: values go only into each attempt's own process environment and files."""

    def log(self, key: str) -> str:
        path = self._log_path(key)
        return path.read_text(errors="replace") if path.exists() else ""


def _read_only_view(folders: Sequence[Path]) -> list[str]:
    """The folders to mount read-only in each task process, if it is needed and possible here;
    told once, at start, when it is needed and not possible."""
    if not folders or not sandbox.wanted():
        return []
    view = [str(folder) for folder in folders]
    reason = sandbox.probe(view)
    if reason is not None:
        log.warning("running as root without a mount namespace per task (%s): tasks can write to the "
                    "store's managed files, which file modes do not stop for root", reason)  # fmt: skip
        return []
    return view


def _preexec(cores: list[int] | None, read_only: list[str]) -> Callable[[], None] | None:
    """What the task process does between fork and exec: its cores, its read-only view."""
    if not cores and not read_only:
        return None

    def prepare() -> None:
        if cores:
            os.sched_setaffinity(0, cores)
        sandbox.enter(read_only)

    return prepare


def _process_env(run: TaskRun, store_env: Mapping[str, str]) -> dict[str, str]:
    """The server's environment (PYTHONPATH) and the store's settings under the task's own;
    flytekit's entry points are those of the interpreter running latchlike, first on PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, **store_env, **run.env, "PATH": path}


def _unpacked_in(command: tuple[str, ...], workdir: Path) -> tuple[str, ...]:
    """A fast-registered task unpacks its code bundle where `--dest-dir` says: `/root` by
    pyflyte's default, right in a container of its own, but shared by every local
    process (tasks unpacking at once collide). Here each attempt unpacks in its own
    working directory."""
    if not command or Path(command[0]).name != "pyflyte-fast-execute" or "--" not in command:
        return command
    split = command.index("--")
    options = list(command[:split])
    if "--dest-dir" in options:
        options[options.index("--dest-dir") + 1] = str(workdir)
    else:
        options += ["--dest-dir", str(workdir)]
    return (*options, *command[split:])


def _resolved(command: tuple[str, ...]) -> tuple[str, ...]:
    if command and command[0] in FLYTEKIT_ENTRY_POINTS:
        return (str(Path(sys.executable).with_name(command[0])), *command[1:])
    return command


def find_orphans(work: Path) -> dict[str, int]:
    """Attempts a killed server left running, by run key: their process groups. A process
    counts only if it still works in that attempt's directory (a pid may have been reused).
    Every other attempt's directory is what the killed server left behind: removed."""
    orphans: dict[str, int] = {}
    for workdir in work.glob("*/"):
        group = _running_group(workdir)
        if group is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            orphans[workdir.name] = group
    return orphans


def _running_group(workdir: Path) -> int | None:
    try:
        group = int((workdir / PID_FILE).read_text())
        if _alive(group) and Path(f"/proc/{group}/cwd").resolve() == workdir.resolve():
            return group
    except (OSError, ValueError):
        pass  # ended, or not ours
    return None


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie nobody has reaped yet."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _clear_after(workdir: Path) -> None:
    """An ended task's working directory goes with it: its pid file (else a restart takes it
    for an orphan), its secrets, its temporary files and the code bundle it unpacked (one copy
    per attempt, so per map item). Its outputs and log live elsewhere."""
    shutil.rmtree(workdir, ignore_errors=True)
