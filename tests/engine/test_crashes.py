"""`kill -9` of a real `latchlike serve` at awkward moments of an execution, restarted on
the same data directory (and database): each task's side effect happens once per attempt
that succeeded, a task that finished while the server was down is not run again, and an
attempt that was lost with the server is recorded before the next one runs."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from flyteidl.admin import task_execution_pb2
from flyteidl.core import execution_pb2, identifier_pb2
from flyteidl.service import admin_pb2_grpc

from tests.engine.running import ENGINE_PROJECT, launch_over_http, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
WORKFLOW = "pipelines.crash.journal"
SECONDS = 6
WAIT_SECONDS = 60


class Crashing:
    """One data directory, served by one server at a time, killed with SIGKILL at will."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.servers = [start_server(data_dir, builtins=False)]

    @property
    def server(self) -> RunningServer:
        return self.servers[-1]

    def kill(self) -> None:
        self.server.process.send_signal(signal.SIGKILL)
        self.server.process.wait()

    def restart(self) -> RunningServer:
        self.servers.append(start_server(self.data_dir, builtins=False))
        return self.server


@pytest.fixture(scope="module")
def crashing(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[Crashing]:
    crashing = Crashing(tmp_path_factory.mktemp("crashing") / "data")
    registered = pyflyte_register(crashing.server, ENGINE_PROJECT, package="pipelines")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    yield crashing
    for server in crashing.servers:
        server.stop()


def test_kill_9_before_start_mid_task_and_while_a_task_finishes_runs_each_task_once(
    crashing: Crashing, tmp_path: Path
) -> None:
    journal = tmp_path / "journal"
    name = launch_over_http(crashing.server, WORKFLOW, {"journal": str(journal), "seconds": SECONDS})
    crashing.kill()  # before the first task starts (or just as it does)

    crashing.restart()
    _wait_for_line(journal, "start first", crashing, name)
    crashing.kill()  # mid-task: the task process outlives the server
    crashing.restart()  # and is adopted, not killed and run again

    _wait_for_line(journal, "start second", crashing, name)
    crashing.kill()
    _wait_for_line(journal, "done second")  # the task finishes while no server runs
    server = crashing.restart()

    execution = wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    assert execution["outputs"] == [{"name": "o0", "preview": '"first.second."', "type": "str"}]
    attempts = [(n["node_id"], n["attempt"], n["phase"]) for n in execution["nodes"]]
    # The first kill may land after the step recorded n0's attempt as running but before its
    # process started: that attempt is lost with the server (recorded) and the next one runs.
    # Whatever the timing, each task's side effect happens exactly once (the journal).
    assert attempts in (
        [("n0", 1, "SUCCEEDED"), ("n1", 1, "SUCCEEDED")],
        [("n0", 1, "RETRYABLE_FAILURE"), ("n0", 2, "SUCCEEDED"), ("n1", 1, "SUCCEEDED")],
    )
    assert _lines(journal) == Counter(["start first", "done first", "start second", "done second"])


def test_an_attempt_lost_with_the_server_is_recorded_and_the_next_one_runs(crashing: Crashing, tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    name = launch_over_http(crashing.server, WORKFLOW, {"journal": str(journal), "seconds": 1})
    _wait_for_line(journal, "start first")
    [pid_file] = (crashing.data_dir / "work").glob(f"*{name}-n0-1/.pid")
    crashing.kill()
    os.killpg(int(pid_file.read_text()), signal.SIGKILL)  # the task dies with the server: nothing to adopt

    server = crashing.restart()
    execution = wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    n0 = [n for n in execution["nodes"] if n["node_id"] == "n0"]
    assert [(n["attempt"], n["phase"]) for n in n0] == [(1, "RETRYABLE_FAILURE"), (2, "SUCCEEDED")]
    assert "lost with the server" in n0[0]["error"]
    assert _lines(journal) == Counter({"start first": 2, "done first": 1, "start second": 1, "done second": 1})
    assert not pid_file.parent.exists()  # what the lost attempt left is cleared at the restart

    page = httpx.get(f"{server.url}/executions/flytesnacks/development/{name}").text
    assert "lost with the server" in page
    assert [(a.id.retry_attempt, a.closure.phase) for a in _task_executions(server, name, "n0")] == [
        (0, execution_pb2.TaskExecution.RETRYABLE_FAILED),
        (1, execution_pb2.TaskExecution.SUCCEEDED),
    ]


def _task_executions(server: RunningServer, name: str, node_id: str) -> list[Any]:
    execution = identifier_pb2.WorkflowExecutionIdentifier(project="flytesnacks", domain="development", name=name)
    node = identifier_pb2.NodeExecutionIdentifier(node_id=node_id, execution_id=execution)
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        listed = admin_pb2_grpc.AdminServiceStub(channel).ListTaskExecutions(
            task_execution_pb2.TaskExecutionListRequest(node_execution_id=node, limit=10), timeout=10
        )
    return list(listed.task_executions)


def _wait_for_line(journal: Path, line: str, crashing: Crashing | None = None, name: str = "") -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if journal.exists() and line in _lines(journal):
            return
        time.sleep(0.05)
    seen = _lines(journal) if journal.exists() else {}
    where = ""
    if crashing is not None and crashing.server.process.poll() is None:
        where = httpx.get(f"{crashing.server.url}/api/executions/flytesnacks/development/{name}").text
        where += "\n" + crashing.server.log()[-3000:]
    raise AssertionError(f"{line!r} never appeared in the journal: {seen}\n{where}")


def _lines(journal: Path) -> Counter[str]:
    return Counter(journal.read_text().splitlines())
