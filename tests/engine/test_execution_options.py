"""`pyflyte run --remote` options latchlike once ignored: each works or is refused."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flyteidl.admin import execution_pb2
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.remote import FlyteRemote
from flytekit.remote.executions import FlyteWorkflowExecution

from tests.engine.running import ENGINE_PROJECT
from tests.pyflyte import pyflyte
from tests.server import RunningServer

pytestmark = pytest.mark.slow
POLL = timedelta(seconds=0.5)
TIMEOUT = timedelta(seconds=120)


def run_remote(server: RunningServer, remote: FlyteRemote, *args: str) -> FlyteWorkflowExecution:
    """`pyflyte run --remote ARGS`, then waits for the execution it printed."""
    result = pyflyte(server, ENGINE_PROJECT, "run", "--remote", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    name = re.search(r"/executions/([a-z0-9]+)", result.stdout)
    assert name, result.stdout
    execution = remote.fetch_execution(name=name.group(1))
    return remote.wait(execution, timeout=TIMEOUT, sync_nodes=False, poll_interval=POLL)


def test_overwrite_cache_runs_a_cached_task_again(server: RunningServer, remote: FlyteRemote, tmp_path: Path) -> None:
    marker = tmp_path / "runs.txt"
    args = ("pipelines/options.py", "cached", "--x", "7", "--marker", str(marker))
    first = run_remote(server, remote, *args)
    again = run_remote(server, remote, *args)
    assert first.outputs["o0"] == again.outputs["o0"] == 70
    assert marker.read_text() == "7\n"  # the second run read the cache
    overwritten = run_remote(server, remote, "--overwrite-cache", *args)
    assert overwritten.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert marker.read_text() == "7\n7\n"
    assert overwritten.spec.overwrite_cache is True
    run_remote(server, remote, *args)
    assert marker.read_text() == "7\n7\n"  # and it still wrote the cache


def test_envs_reach_the_task_and_labels_are_kept(server: RunningServer, remote: FlyteRemote) -> None:
    done = run_remote(
        server, remote, "--env", "SAMPLE_SHEET=v2", "--labels", "team=genomics", "--annotations", "ticket=LAB-12",
        "pipelines/options.py", "reads_env", "--name", "SAMPLE_SHEET",
    )  # fmt: skip
    assert done.outputs["o0"] == "v2"
    assert done.spec.labels.values == {"team": "genomics"}
    assert done.spec.annotations.values == {"ticket": "LAB-12"}
    assert done.spec.envs.envs == {"SAMPLE_SHEET": "v2"}


@pytest.mark.parametrize(
    ("option", "message"),
    [(("--labels", "team=not ok!"), "--labels: value 'not ok!'"),
     (("--env", "FLYTE_INTERNAL_EXECUTION_ID=x"), "FLYTE_INTERNAL_EXECUTION_ID is set by latchlike")],
)  # fmt: skip
def test_options_latchlike_cannot_honour_are_refused(
    server: RunningServer, remote: FlyteRemote, option: tuple[str, str], message: str
) -> None:
    result = pyflyte(server, ENGINE_PROJECT, "run", "--remote", *option, "pipelines/options.py", "reads_env",
                     "--name", "X")  # fmt: skip
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def test_max_parallelism_runs_one_task_at_a_time(remote: FlyteRemote, tmp_path: Path) -> None:
    marker = tmp_path / "stamps.txt"
    plan = remote.fetch_launch_plan(name="pipelines.options.serial")
    done = remote.wait(remote.execute(plan, inputs={"marker": str(marker)}), timeout=TIMEOUT, sync_nodes=False,
                       poll_interval=POLL)  # fmt: skip
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert done.outputs["o0"] == 6
    spans = sorted(tuple(map(float, line.split())) for line in marker.read_text().splitlines())
    assert len(spans) == 3
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))


def test_recover_reuses_the_succeeded_node_and_runs_the_rest(
    server: RunningServer, remote: FlyteRemote, tmp_path: Path
) -> None:
    marker, needed = tmp_path / "once.txt", tmp_path / "fixed"
    plan = remote.fetch_launch_plan(name="pipelines.options.recoverable")
    inputs = {"x": 4, "marker": str(marker), "path": str(needed)}
    failed = remote.wait(remote.execute(plan, inputs=inputs), timeout=TIMEOUT, sync_nodes=False, poll_interval=POLL)
    assert failed.closure.phase == WorkflowExecutionPhase.FAILED
    assert marker.read_text() == "4\n"
    needed.touch()
    result = pyflyte(server, ENGINE_PROJECT, "execution", "--execution-id", failed.id.name, "recover")
    assert result.returncode == 0, result.stdout + result.stderr
    name = re.search(r"Launched execution: .*?([a-z][a-z0-9]{19})\b", result.stdout.replace("\n", " "))
    assert name, result.stdout
    recovered = remote.wait(remote.fetch_execution(name=name.group(1)), timeout=TIMEOUT, poll_interval=POLL)
    assert recovered.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert recovered.outputs["o0"] == 10
    assert marker.read_text() == "4\n"  # the succeeded task was not run again
    assert recovered.node_executions["n0"].outputs == {"o0": 5}
    assert recovered.spec.metadata.mode == execution_pb2.ExecutionMetadata.RECOVERED
    assert recovered.spec.metadata.reference_execution.name == failed.id.name


def test_only_a_failed_execution_is_recovered(server: RunningServer, remote: FlyteRemote, tmp_path: Path) -> None:
    done = run_remote(server, remote, "pipelines/options.py", "reads_env", "--name", "HOME")
    result = pyflyte(server, ENGINE_PROJECT, "execution", "--execution-id", done.id.name, "recover")
    assert result.returncode != 0
    assert "only a failed or aborted execution is recovered" in result.stdout + result.stderr
