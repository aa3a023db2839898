"""The warm start path: a process that has imported flytekit once and forks per task.

A cold `pyflyte-execute` spends nearly all of its second importing flytekit. This server
does that import at start, then for each request forks a child that becomes the task
process: its own session (process group), working directory, environment and log file,
running flytekit's `pyflyte-execute` (or `pyflyte-map-execute`) entry point in-process;
for `pyflyte-fast-execute` the child first fetches the code bundle, as flytekit would.
It forks before any network I/O and runs no threads, so a child inherits no held lock.
It also imports each task's workflow module once, before forking (`PreloadedModules`): module
code runs then with the server's environment, not the task's. What flytekit set up at that
import and a cold process would have made its own is made again in each child
(`_own_scratch`).

Protocol (JSON lines): stdin takes `{"key", "entry", "args", "env", "cwd", "log",
"cores", "read_only"}`; stdout answers `{"key", "pid"}` when a child starts and
`{"key", "exit"}` when it ends.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, TextIO

from latchlike.engine.executors import sandbox

POLL_SECONDS = 1.0
FAST_ENTRY_POINT = "pyflyte-fast-execute"
SCRATCH = ".flyte"
"""In a task's working directory while it runs: flytekit's scratch space (`_own_scratch`)."""
_protocol: TextIO = sys.stdout


def main() -> None:
    from flytekit.bin import entrypoint  # the expensive import, done once

    global _protocol
    # Answers go to a private copy of stdout; fd 1 becomes the log, so that nothing an
    # imported workflow module prints can corrupt them.
    _protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    modules = PreloadedModules()
    children: dict[int, str] = {}
    pending = b""
    stdin = sys.stdin.buffer.fileno()
    # A child's exit wakes select at once (SIGCHLD → a byte on this pipe), so exit codes
    # are reported without polling delay.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    while True:
        readable, _, _ = select.select([stdin, wake_read], [], [], POLL_SECONDS)
        if wake_read in readable:
            os.read(wake_read, 4096)
        if stdin in readable:
            chunk = os.read(stdin, 65536)
            if not chunk:
                break  # the executor went away: stop taking work
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                modules.preload(request)
                pid = os.fork()
                if pid == 0:
                    modules.drop_stale()
                    _become_task(request, entrypoint)
                children[pid] = request["key"]
                _say({"key": request["key"], "pid": pid})
        _reap(children)
    while children:
        _reap(children, block=True)


class PreloadedModules:
    """Workflow modules imported here before forking, so a child does not import its task's
    module again (half of a trivial task's time). A module whose file changed since is
    dropped in the child, which then imports the new code itself."""

    def __init__(self) -> None:
        self._loaded: dict[str, float] = {}
        self._failed: set[str] = set()

    def preload(self, request: dict[str, Any]) -> None:
        args = request["args"]
        if "task-module" not in args or request["entry"] == FAST_ENTRY_POINT:  # its code is in its bundle
            return
        name = args[args.index("task-module") + 1]
        if name in self._loaded or name in self._failed:
            return
        _extend_path(request["env"])
        try:
            module = importlib.import_module(name)
            self._loaded[name] = os.stat(module.__file__ or "").st_mtime
        except BaseException:  # the child imports it again and reports the error as the task's
            self._failed.add(name)

    def drop_stale(self) -> None:
        for name, mtime in self._loaded.items():
            module = sys.modules.get(name)
            try:
                changed = module is None or os.stat(module.__file__ or "").st_mtime != mtime
            except OSError:
                changed = True
            if changed:
                sys.modules.pop(name, None)


@contextlib.contextmanager
def _own_scratch(cwd: str) -> Iterator[None]:
    """flytekit's file access for this task alone, while it runs: scratch space in the
    attempt's own working directory (removed when the task ends: its outputs are in the store
    by then), and this task's store settings (credentials), read from its environment.

    flytekit made its default one when the server imported it, with one temporary folder for
    the whole process, and it names the folders inside from a random generator of its own,
    which a forked child inherits mid-sequence. Without this every child picked the same
    "random" working directory (`current_context().working_directory`) in the same folder, so
    two tasks running at once wrote their files over each other's: a 4.6 MB QC report read
    back empty, or another task's."""
    from flytekit.configuration import DataConfig
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.data_persistence import FileAccessProvider
    from flytekit.interfaces.random import random as flyte_random

    flyte_random.seed()  # in place: the object flytekit's modules imported; from os.urandom
    scratch = os.path.join(cwd, SCRATCH)
    access = FileAccessProvider(scratch, os.path.join(scratch, "raw"), data_config=DataConfig.auto())
    try:
        with FlyteContextManager.with_context(FlyteContextManager.current_context().with_file_access(access)):
            yield
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _fetch_code(args: list[str], entrypoint: Any) -> tuple[str, list[str]]:
    """`pyflyte-fast-execute` in the child: fetch and unpack the code bundle into the
    working directory, put it on the path after the rest (as flytekit does), and give
    the task command it wraps, told where the bundle came from."""
    split = args.index("--")
    options, command = args[:split], args[split + 1 :]
    distribution = _option(options, "--additional-distribution")
    destination = os.path.realpath(_option(options, "--dest-dir") or os.getcwd())
    if distribution:
        entrypoint._download_distribution(distribution, destination)
    sys.path.append(destination)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), destination]))
    if "task-module" in command:  # code of the same package imported here before is not this bundle's
        package = command[command.index("task-module") + 1].split(".")[0]
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
    resolver = command.index("--resolver")
    told = ["--dynamic-addl-distro", distribution or "", "--dynamic-dest-dir", destination]
    return command[0], [*command[1:resolver], *told, *command[resolver:]]


def _option(options: list[str], name: str) -> str | None:
    return options[options.index(name) + 1] if name in options else None


def _extend_path(env: dict[str, str]) -> None:
    """The interpreter is already running: PYTHONPATH must reach sys.path by hand."""
    for entry in reversed(env.get("PYTHONPATH", "").split(os.pathsep)):
        if entry and entry not in sys.path:
            sys.path.insert(0, entry)


def _become_task(request: dict[str, Any], entrypoint: Any) -> None:
    """In the child: never returns. The task's log is opened first, so that whatever fails
    from then on (its working directory, its cores, its code bundle) is in the task's own
    log, which the execution page shows, not only in the fork server's."""
    code = 1
    started = False
    try:
        _protocol.close()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        if request.get("cores"):
            os.sched_setaffinity(0, request["cores"])
        sandbox.enter(request.get("read_only", []))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        tempfile.tempdir = None  # chosen again, from the task's TMPDIR: the server's was cached
        _extend_path(request["env"])
        with _own_scratch(os.getcwd()):
            entry, args = request["entry"], request["args"]
            if entry == FAST_ENTRY_POINT:
                entry, args = _fetch_code(args, entrypoint)
            commands = {"pyflyte-execute": entrypoint.execute_task_cmd,
                        "pyflyte-map-execute": entrypoint.map_execute_task_cmd}  # fmt: skip
            sys.argv = [entry, *args]
            started = True
            commands[entry].main(args=args, prog_name=entry, standalone_mode=False)
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException as error:  # a crash of the task process, reported by its exit code and log
        import traceback

        traceback.print_exc()
        if not started:
            print(f"latchlike: the task process failed before flytekit ran it: {error}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap(children: dict[int, str], *, block: bool = False) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return
        if pid == 0:
            return
        key = children.pop(pid, None)
        if key is not None:
            _say({"key": key, "exit": os.waitstatus_to_exitcode(status)})
        if block:
            return


def _say(message: dict[str, Any]) -> None:
    _protocol.write(json.dumps(message) + "\n")
    _protocol.flush()


if __name__ == "__main__":
    main()
