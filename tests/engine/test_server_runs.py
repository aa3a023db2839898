"""Executions run by a real `latchlike serve`: launched over HTTP, workflows registered by
the real `pyflyte register` (fast mode: tasks fetch their code bundle from the store)."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine

from latchlike.db import Database
from latchlike.executions.service import ExecutionKey, get_execution
from tests.engine.running import ENGINE_PROJECT, launch_over_http, wait_over_http
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def pipelines_server(server: RunningServer) -> RunningServer:
    result = pyflyte_register(server, ENGINE_PROJECT, package="pipelines")
    assert result.returncode == 0, result.stdout + result.stderr
    return server


def test_hello_world_runs_to_the_outputs_flytekit_computes(server: RunningServer) -> None:
    from workflows.hello import Greeting, hello_world

    inputs = {"name": "Ada", "greeting": "Welcome", "excitement": 2, "times": 3}
    name = launch_over_http(server, "workflows.hello.hello_world", inputs)
    execution = wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
    assert [(n["node_id"], n["attempt"], n["phase"]) for n in execution["nodes"]] == [
        ("n0", 1, "SUCCEEDED"),
        ("n1", 1, "SUCCEEDED"),
    ]
    expected = hello_world(name="Ada", greeting=Greeting.WELCOME, excitement=2, times=3)
    db = Database(server.database_url)
    with db.session() as session:
        outputs = get_execution(session, ExecutionKey("flytesnacks", "development", name)).outputs
    db.dispose()
    context = FlyteContextManager.current_context()
    assert outputs is not None
    assert (
        outputs.literals["o0"]
        == TypeEngine.to_literal(context, expected, list[str], TypeEngine.to_literal_type(list[str])).to_flyte_idl()
    )
    page = httpx.get(f"{server.url}/executions/flytesnacks/development/{name}").text
    assert "SUCCEEDED" in page and "Welcome, Ada!!" in page
    log = httpx.get(f"{server.url}/executions/flytesnacks/development/{name}/nodes/n0/1/log")
    assert log.status_code == 200


def test_a_file_a_node_wrote_is_listed_and_downloadable_from_its_execution_only(
    pipelines_server: RunningServer,
) -> None:
    name = launch_over_http(pipelines_server, "pipelines.basic.files", {"n": 2})
    execution = wait_over_http(pipelines_server, name, lambda e: e["phase"] == "SUCCEEDED")
    [written] = execution["files"]
    assert (written["direction"], written["name"], written["node_id"]) == ("output", "o0", "n0")
    base = f"{pipelines_server.url}/executions/flytesnacks/development"
    download = httpx.get(f"{base}/{name}/files/{written['id']}")
    assert download.status_code == 200 and download.content == b"read0\nread1\n"
    other = launch_over_http(pipelines_server, "pipelines.basic.fan", {"x": 1})
    wait_over_http(pipelines_server, other, lambda e: e["phase"] == "SUCCEEDED")
    assert httpx.get(f"{base}/{other}/files/{written['id']}").status_code == 404  # not that execution's file
    page = httpx.get(f"{base}/{name}").text
    assert written["sha256"][:12] in page


def test_a_fast_registered_workflow_fetches_its_bundle_and_runs(pipelines_server: RunningServer) -> None:
    name = launch_over_http(pipelines_server, "pipelines.basic.fan", {"x": 5})
    execution = wait_over_http(pipelines_server, name, lambda e: e["phase"] == "SUCCEEDED")
    assert execution["outputs"] == [{"name": "o0", "preview": "40", "type": "int"}]
    # Provenance: every task's version, image and the code bundle it fetched.
    bundles = {task["code_bundle"] for task in execution["tasks"]}
    assert len(bundles) == 1 and next(iter(bundles)).endswith(".tar.gz")
    assert {task["task"] for task in execution["tasks"]} == {"pipelines.basic.double", "pipelines.basic.add"}
    # Each attempt unpacked the bundle in its own working directory (the two middle tasks
    # ran at once), not in pyflyte's default /root, which every local process would share;
    # that directory went with its attempt (a bundle per map item piled up before).
    for node in ("n0", "n1", "n2", "n3"):
        attempt = f"flytesnacks-development-{name}-{node}-1"
        log = (pipelines_server.data_dir / "logs" / f"{attempt}.log").read_text()
        assert f"code from {pipelines_server.data_dir / 'work' / attempt / 'pipelines'}/basic.py" in log, log
    assert not list((pipelines_server.data_dir / "work").glob(f"*{name}*"))
    assert all(n["attempt"] == 1 for n in execution["nodes"])


@pytest.fixture
def restartable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[RunningServer]]:
    servers: list[RunningServer] = []
    yield servers
    for running in servers:
        running.stop()


def test_after_kill_9_and_restart_the_execution_carries_on_without_rerunning_succeeded_nodes(
    restartable: list[RunningServer], tmp_path_factory: pytest.TempPathFactory, database: str
) -> None:
    data_dir = tmp_path_factory.mktemp("restart") / "data"
    first = start_server(data_dir, builtins=False)
    restartable.append(first)
    registered = pyflyte_register(first, ENGINE_PROJECT, package="pipelines")
    assert registered.returncode == 0, registered.stderr
    name = launch_over_http(first, "pipelines.basic.slow", {"seconds": 2})
    wait_over_http(first, name, lambda e: any(n["node_id"] == "n1" and n["phase"] == "RUNNING" for n in e["nodes"]))
    orphan = _task_pid(data_dir / "work", f"*{name}-n1-1/.pid")
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    assert _running(orphan)  # the task process outlived the server

    second = start_server(data_dir, builtins=False)
    restartable.append(second)
    execution = wait_over_http(second, name, lambda e: e["phase"] == "SUCCEEDED")
    assert not _running(orphan)
    assert execution["outputs"] == [{"name": "o0", "preview": "4", "type": "int"}]
    # n0 never ran again; n1's process was adopted: waited for, not killed and started again.
    assert [(n["node_id"], n["attempt"], n["phase"]) for n in execution["nodes"]] == [
        ("n0", 1, "SUCCEEDED"),
        ("n1", 1, "SUCCEEDED"),
    ]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _task_pid(work: Path, pattern: str, seconds: float = 20) -> int:
    """The pid a running attempt's `.pid` names: RUNNING is recorded as the start is asked
    for, the fork server writes the file a moment later."""
    deadline = time.monotonic() + seconds
    while not (found := [path for path in work.glob(pattern) if path.read_text().strip()]):
        assert time.monotonic() < deadline, f"no {pattern} in {work} after {seconds} s"
        time.sleep(0.05)
    return int(found[0].read_text())
