"""The admin list calls `pyflyte get` and FlyteRemote make, against a real server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flyteidl.admin import common_pb2
from flytekit.configuration import Config
from flytekit.models.admin.common import Sort
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.models.launch_plan import LaunchPlanState
from flytekit.remote import FlyteRemote

from tests.pyflyte import pyflyte
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow
CLIENT_PROJECT = FIXTURES / "client_project"


@pytest.fixture(scope="module")
def remote(server: RunningServer) -> FlyteRemote:
    for version in ("list-v1", "list-v2"):
        registered = pyflyte(server, CLIENT_PROJECT, "register", "--version", version, "dataio")
        assert registered.returncode == 0, registered.stdout + registered.stderr
    return FlyteRemote(
        Config.auto(config_file=str(server.flytekit_config())),
        default_project="flytesnacks",
        default_domain="development",
    )


def test_pyflyte_get_launchplan_lists_by_updated_at(server: RunningServer, remote: FlyteRemote) -> None:
    listed = pyflyte(server, CLIENT_PROJECT, "get", "launchplan", "-p", "flytesnacks", "-d", "development")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "dataio.reads.report" in listed.stdout and "list-v2" in listed.stdout
    one = pyflyte(server, CLIENT_PROJECT, "get", "launchplan", "-p", "flytesnacks", "-d", "development",
                  "dataio.reads.count_reads")  # fmt: skip
    assert one.returncode == 0, one.stdout + one.stderr
    assert one.stdout.index("list-v2") < one.stdout.index("list-v1")  # newest first


def test_list_ids_name_each_registered_entity_once(remote: FlyteRemote) -> None:
    client = remote.client
    tasks, _ = client.list_task_ids_paginated("flytesnacks", "development", limit=100)
    workflows, _ = client.list_workflow_ids_paginated("flytesnacks", "development", limit=100)
    plans, _ = client.list_launch_plan_ids_paginated(
        "flytesnacks", "development", limit=100, sort_by=Sort("updated_at", Sort.Direction.DESCENDING)
    )
    assert {"dataio.reads.count_lines", "dataio.reads.triple"} <= {t.name for t in tasks}
    assert len([t for t in tasks if t.name == "dataio.reads.triple"]) == 1  # two versions, one name
    assert {w.name for w in workflows} >= {"dataio.reads.count_reads", "dataio.reads.report"}
    assert {p.name for p in plans} >= {"dataio.reads.count_reads", "dataio.reads.report"}
    assert all(p.project == "flytesnacks" and p.domain == "development" for p in plans)
    first, token = client.list_workflow_ids_paginated("flytesnacks", "development", limit=1)
    assert len(first) == 1 and token


@pytest.mark.parametrize(
    ("filters", "versions"),
    [("eq(launch_plan.version,list-v1)", ["list-v1"]), ("ne(version,list-v1)", ["list-v2"]),
     ("value_not_in(version,list-v2)", ["list-v1"]), ("gte(updated_at,2000-01-01T00:00:00Z)", ["list-v2", "list-v1"])],
)  # fmt: skip
def test_list_filters_take_flyteadmin_operators_and_fields(
    remote: FlyteRemote, filters: str, versions: list[str]
) -> None:
    request = common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development", name="dataio.reads.report"),
        limit=10,
        filters=filters,
        sort_by=common_pb2.Sort(key="updated_at", direction=common_pb2.Sort.DESCENDING),
    )
    found = remote.client._stub.ListLaunchPlans(request)
    assert sorted(plan.id.version for plan in found.launch_plans) == sorted(versions)


def test_pyflyte_run_remote_runs_a_single_task(server: RunningServer, remote: FlyteRemote) -> None:
    """Flyte wraps the task in a generated one-node workflow and launch plan."""
    result = pyflyte(server, CLIENT_PROJECT, "run", "--remote", "dataio/reads.py", "triple", "--x", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    name = re.search(r"/executions/([a-z0-9]+)", result.stdout)
    assert name, result.stdout
    done = remote.wait(remote.fetch_execution(name=name.group(1)), timeout=timedelta(seconds=120),
                       poll_interval=timedelta(seconds=0.5))  # fmt: skip
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED, done.closure.error
    assert done.outputs["o0"] == 15
    assert done.spec.launch_plan.name == ".flytegen.dataio.reads.triple"
    assert [node.metadata.spec_node_id for node in done.node_executions.values()] == ["dataioreadstriple"]


def test_pyflyte_get_launchplan_active_only(server: RunningServer, remote: FlyteRemote) -> None:
    plan = remote.fetch_launch_plan(name="dataio.reads.report", version="list-v1")
    remote.client.update_launch_plan(plan.id, LaunchPlanState.ACTIVE)
    listed = pyflyte(server, CLIENT_PROJECT, "get", "launchplan", "--active-only", "-p", "flytesnacks", "-d",
                     "development")  # fmt: skip
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "dataio.reads.report" in listed.stdout and "list-v1" in listed.stdout
    assert "list-v2" not in listed.stdout and "count_reads" not in listed.stdout
