"""The kubernetes executor, through the official client, against a fake pods API."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import kubernetes_validate
import pytest
import yaml

from latchlike.engine.executors import RunResult, TaskRun
from latchlike.engine.executors.kubernetes import GONE, KubernetesExecutor
from latchlike.engine.executors.pods import PodSettings, pod_manifest, pod_name
from latchlike.platform import Platform
from tests.engine.running import attempts, int_output, launch, launch_over_http, run_until_done, wait_over_http
from tests.k8s.fake_api import FAILED_LOG, FakeApiServer, FakeCluster, always
from tests.k8s.test_manifests import KUBERNETES_VERSION
from tests.server import start_server

SETTINGS = PodSettings(
    namespace="latchlike",
    service_account="latchlike-tasks",
    store_env={"FLYTE_AWS_ENDPOINT": "http://minio:9000"},
    store_secret="latchlike-store",
)


@pytest.fixture
def cluster() -> Iterator[FakeApiServer]:
    with FakeApiServer(FakeCluster()) as server:
        yield server


def _run(
    server: FakeApiServer, tmp_path: Path, *runs: TaskRun, keep_pods: bool = False, unschedulable_seconds: float = 300
) -> list[RunResult]:
    async def go() -> list[RunResult]:
        executor = KubernetesExecutor(server.api(), SETTINGS, log_dir=tmp_path, keep_pods=keep_pods,
                                      unschedulable_seconds=unschedulable_seconds)  # fmt: skip
        try:
            return await asyncio.wait_for(asyncio.gather(*(executor.run(run) for run in runs)), 60)
        finally:
            await executor.close()

    return asyncio.run(go())


def _task(
    key: str, script: str = "print('hello from the pod')", *, project: str = "flytesnacks", **extra: object
) -> TaskRun:
    env = {"SAMPLE": "s1", "FLYTE_INTERNAL_EXECUTION_PROJECT": project,
           "FLYTE_INTERNAL_EXECUTION_DOMAIN": "development"}  # fmt: skip
    return TaskRun(key, (sys.executable, "-c", script), env, image="ghcr.io/example/qc:1",
                   requests={"cpu": "500m"}, limits={"memory": "1Gi"},
                   labels={"execution": "abc123", "workflow": "pipelines.basic.fan", "node": "n0-0-n1"},
                   **extra)  # type: ignore[arg-type]  # fmt: skip


def _printing(count: int, *, project: str = "flytesnacks") -> list[TaskRun]:
    """`count` attempts of execution abc123, each printing its own key."""
    keys = [f"{project}-development-abc123-n{i}-1" for i in range(count)]
    return [_task(key, f"print('log of {key}')", project=project) for key in keys]


def _execution(
    server: FakeApiServer, tmp_path: Path, runs: list[TaskRun], *, read: int = 0, **options: object
) -> tuple[KubernetesExecutor, list[RunResult], list[str]]:
    """Runs the attempts of execution abc123, reads the logs of the first `read` while its
    pods exist, then ends it; the executor (closed), the results and the logs read."""

    async def go() -> tuple[KubernetesExecutor, list[RunResult], list[str]]:
        executor = KubernetesExecutor(server.api(), SETTINGS, log_dir=tmp_path, **options)  # type: ignore[arg-type]
        try:
            results = await asyncio.wait_for(asyncio.gather(*(executor.run(run) for run in runs)), 60)
            assert len(server.cluster.pods) >= len(runs)  # every pod stays while the execution runs
            logs = [await asyncio.to_thread(executor.log, run.key) for run in runs[:read]]
            await executor.ended("flytesnacks", "development", "abc123")
            return executor, results, logs
        finally:
            await executor.close()

    return asyncio.run(go())


def test_an_executions_pods_stay_until_it_ends_then_go_in_one_call(cluster: FakeApiServer, tmp_path: Path) -> None:
    elsewhere = _printing(1, project="other")  # an execution of the same name in another project
    runs = _printing(3)
    executor, results, _ = _execution(cluster, tmp_path, [*runs, *elsewhere])
    assert [(result.exit_code, result.timed_out) for result in results] == [(0, False)] * 4
    requests = cluster.cluster.requests
    assert (requests["deletecollection"], requests["delete"]) == (1, 0)
    assert [pod["metadata"]["name"] for pod in cluster.cluster.pods.values()] == [pod_name(elsewhere[0].key)]
    # A small execution: its succeeded pods' logs were copied before they went.
    assert requests["log"] == 3
    assert [executor.log(run.key).strip() for run in runs] == [f"log of {run.key}" for run in runs]


def test_a_succeeded_pods_log_is_read_only_when_asked_and_kept_after_the_pod_goes(
    cluster: FakeApiServer, tmp_path: Path
) -> None:
    """A wide execution (more succeeded pods than `saved_logs`): no log is read unless asked."""
    runs = _printing(4)
    executor, results, [read] = _execution(cluster, tmp_path, runs, read=1, saved_logs=2)
    assert [result.exit_code for result in results] == [0] * 4
    assert read.strip() == f"log of {runs[0].key}"
    requests = cluster.cluster.requests
    assert (requests["create"], requests["log"], requests["delete"], requests["deletecollection"]) == (4, 1, 0, 1)
    assert cluster.cluster.pods == {}
    assert executor.log(runs[0].key).strip() == f"log of {runs[0].key}"  # the copy made when it was read
    assert executor.log(runs[1].key) == GONE  # never read: the executor says why there is none
    assert "deleted when its execution ended" in GONE


def test_a_failed_pods_log_is_copied_at_once_and_its_pod_goes_with_the_execution(
    cluster: FakeApiServer, tmp_path: Path
) -> None:
    failing = _task("flytesnacks-development-abc123-n0-1", "import sys; print('bad input'); sys.exit(3)")
    executor, [result], _ = _execution(cluster, tmp_path, [failing])
    assert result.exit_code == 3
    assert result.log_path is not None and "bad input" in result.log_path.read_text()
    requests = cluster.cluster.requests
    assert (requests["log"], requests["delete"], requests["deletecollection"]) == (1, 0, 1)
    assert cluster.cluster.pods == {} and "bad input" in executor.log(failing.key)


def test_kept_pods_stay_after_their_execution_ends_and_their_logs_are_read_from_them(
    cluster: FakeApiServer, tmp_path: Path
) -> None:
    runs = _printing(2)
    executor, _, _ = _execution(cluster, tmp_path, runs, keep_pods=True)
    requests = cluster.cluster.requests
    assert (requests["log"], requests["delete"], requests["deletecollection"]) == (0, 0, 0)
    assert sorted(cluster.cluster.pods) == sorted(pod_name(run.key) for run in runs)
    assert executor.log(runs[1].key).strip() == f"log of {runs[1].key}"
    assert requests["log"] == 1


def test_the_pod_manifest_is_valid_labelled_and_carries_the_task_contract(
    cluster: FakeApiServer, tmp_path: Path
) -> None:
    _run(cluster, tmp_path, _task("flytesnacks-development-abc123-n0-0-n1-2"))
    [manifest] = cluster.cluster.created
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert manifest["metadata"]["name"] == pod_name("flytesnacks-development-abc123-n0-0-n1-2")
    assert manifest["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "latchlike", "latchlike.io/execution": "abc123",
        "latchlike.io/project": "flytesnacks", "latchlike.io/domain": "development",
        "latchlike.io/workflow": "pipelines.basic.fan", "latchlike.io/node": "n0-0-n1",
    }  # fmt: skip
    container = manifest["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/example/qc:1"
    # A request without a limit is limited by it, a limit without a request requests it (as in Flyte).
    assert container["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"},
                                      "limits": {"cpu": "500m", "memory": "1Gi"}}  # fmt: skip
    assert {"name": "SAMPLE", "value": "s1"} in container["env"]
    assert {"name": "FLYTE_AWS_ENDPOINT", "value": "http://minio:9000"} in container["env"]
    assert container["envFrom"] == [{"secretRef": {"name": "latchlike-store"}}]
    assert manifest["spec"]["restartPolicy"] == "Never"
    assert manifest["spec"]["serviceAccountName"] == "latchlike-tasks"


def test_pod_names_are_deterministic_valid_and_distinct() -> None:
    keys = ["p-d-e1-n0-1", "p-d-e1-n0-2", "P_D-e1-" + "n0-0-n1-" * 20 + "1", "p-d-e1-n0-0-n1-" * 20 + "2"]
    names = [pod_name(key) for key in keys]
    assert names == [pod_name(key) for key in keys]
    assert len(set(names)) == len(names)
    assert all(len(name) <= 63 and name == name.lower() and name[0].isalnum() for name in names)


def test_a_failing_container_reports_its_exit_code(cluster: FakeApiServer, tmp_path: Path) -> None:
    [result] = _run(cluster, tmp_path, _task("k-fail-1", "import sys; print('bad input'); sys.exit(3)"))
    assert result.exit_code == 3
    assert result.log_path is not None and "bad input" in result.log_path.read_text()


def test_an_evicted_pod_ends_without_an_exit_code_and_says_why(cluster: FakeApiServer, tmp_path: Path) -> None:
    cluster.cluster.behaviour = always("evict")
    [result] = _run(cluster, tmp_path, _task("k-evicted-1"))
    assert result.exit_code == -1
    assert result.log_path is not None and "Evicted: The node was low on resource" in result.log_path.read_text()


def test_a_pod_killed_for_memory_says_so(cluster: FakeApiServer, tmp_path: Path) -> None:
    cluster.cluster.behaviour = always("oom")
    [result] = _run(cluster, tmp_path, _task("k-oom-1"))
    assert result.exit_code == 137
    assert result.out_of_memory == "the pod ran out of memory (limit 1Gi)"


def test_a_pod_that_is_never_scheduled_is_given_up_and_deleted(cluster: FakeApiServer, tmp_path: Path) -> None:
    cluster.cluster.behaviour = always("unschedulable")
    [result] = _run(cluster, tmp_path, _task("k-pending-1"), keep_pods=True, unschedulable_seconds=0.5)
    assert result.exit_code == -1
    assert result.log_path is not None and "Insufficient memory" in result.log_path.read_text()
    assert cluster.cluster.pods == {}


def test_a_pod_past_its_timeout_is_deleted(cluster: FakeApiServer, tmp_path: Path) -> None:
    cluster.cluster.behaviour = always("hang")
    [result] = _run(cluster, tmp_path, _task("k-slow-1", timeout_seconds=1))
    assert result.timed_out
    assert cluster.cluster.pods == {}


def test_after_a_restart_the_same_attempt_waits_for_its_pod_instead_of_creating_another(
    cluster: FakeApiServer, tmp_path: Path
) -> None:
    cluster.cluster.behaviour = always("succeed")
    [first] = _run(cluster, tmp_path, _task("k-again-1"), keep_pods=True)
    [second] = _run(cluster, tmp_path, _task("k-again-1"), keep_pods=True)  # a new executor: the server restarted
    assert first.exit_code == second.exit_code == 0
    assert len(cluster.cluster.created) == 2 and len(cluster.cluster.pods) == 1  # the second create got 409


def test_a_resumed_attempt_whose_pod_is_gone_is_lost_not_created_again(cluster: FakeApiServer, tmp_path: Path) -> None:
    cluster.cluster.behaviour = always("succeed")
    [kept] = _run(cluster, tmp_path, _task("k-kept-1"), keep_pods=True)
    [adopted, lost] = _run(cluster, tmp_path, _task("k-kept-1", resume=True), _task("k-gone-1", resume=True))
    assert (kept.exit_code, adopted.exit_code, adopted.lost) == (0, 0, False)  # the pod that ran is waited for
    assert lost.lost and lost.exit_code == -1
    assert [pod["metadata"]["name"] for pod in cluster.cluster.created] == [pod_name("k-kept-1")] * 2


def test_many_pods_are_followed_by_one_watch(cluster: FakeApiServer, tmp_path: Path) -> None:
    cluster.cluster.behaviour = always("succeed")
    results = _run(cluster, tmp_path, *(_task(f"k-many-{i}") for i in range(40)))
    assert [result.exit_code for result in results] == [0] * 40


def test_an_end_missed_while_the_watch_was_down_is_found_by_listing_again(
    cluster: FakeApiServer, tmp_path: Path
) -> None:
    """The watch comes back with a resourceVersion the server no longer keeps (410 Gone):
    the executor lists the pods again and sees that its pod ended meanwhile."""
    fake = cluster.cluster
    fake.behaviour = always("hang")

    async def go() -> RunResult:
        executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=tmp_path)
        try:
            running = asyncio.create_task(executor.run(_task("k-gone-1")))
            while not fake.pods or next(iter(fake.pods.values()))["status"]["phase"] != "Running":
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # the watch has seen it running
            fake.pause_watches()
            [name] = fake.pods
            fake.set_status(name, {"phase": "Succeeded", "containerStatuses": [
                {"name": "task", "image": "fake", "imageID": "fake", "ready": False, "restartCount": 0,
                 "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]})  # fmt: skip
            fake.compact()
            fake.resume_watches()
            return await asyncio.wait_for(running, 30)
        finally:
            await executor.close()

    assert asyncio.run(go()).exit_code == 0


def test_cancel_deletes_the_pod(cluster: FakeApiServer, tmp_path: Path) -> None:
    cluster.cluster.behaviour = always("hang")

    async def go() -> RunResult:
        executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=tmp_path)
        try:
            running = asyncio.create_task(executor.run(_task("k-cancel-1")))
            while not cluster.cluster.pods:
                await asyncio.sleep(0.05)
            await executor.cancel("k-cancel-1")
            return await asyncio.wait_for(running, 30)
        finally:
            await executor.close()

    result = asyncio.run(go())
    assert result.exit_code == -1 and cluster.cluster.pods == {}


@pytest.mark.slow
def test_a_workflow_runs_each_task_as_a_pod(registered: Platform, cluster: FakeApiServer) -> None:
    executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=registered.settings.data_dir / "logs")
    execution = run_until_done(registered, launch(registered, "pipelines.basic.fan", {"x": 3}), executor=executor)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 24
    assert len(cluster.cluster.created) == 4  # one pod per task, none twice
    for manifest in cluster.cluster.created:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        assert manifest["metadata"]["labels"]["latchlike.io/execution"] == execution.name


@pytest.mark.slow
def test_a_workflow_whose_pods_cannot_be_scheduled_fails_saying_so(
    registered: Platform, cluster: FakeApiServer
) -> None:
    cluster.cluster.behaviour = always("unschedulable")
    executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=registered.settings.data_dir / "logs",
                                  unschedulable_seconds=0.5)  # fmt: skip
    execution = run_until_done(registered, launch(registered, "pipelines.basic.fan", {"x": 3}), executor=executor)
    assert execution.phase == "FAILED"
    assert execution.error is not None and "could not be scheduled" in execution.error
    # Not the task's fault: the platform's budget of system retries (3 here), not the task's (0).
    assert attempts(registered, execution) == [("n0", attempt, "RETRYABLE_FAILURE") for attempt in (1, 2, 3, 4)]


@pytest.mark.slow
def test_a_failed_pods_log_tail_is_in_its_error_and_the_executions_pods_go_in_one_call(
    registered: Platform, cluster: FakeApiServer
) -> None:
    cluster.cluster.behaviour = always("fail")
    executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=registered.settings.data_dir / "logs")
    execution = run_until_done(registered, launch(registered, "pipelines.basic.fan", {"x": 3}), executor=executor)
    assert execution.phase == "FAILED"
    assert execution.error is not None and "ValueError: the fake task failed" in execution.error
    requests = cluster.cluster.requests
    assert (requests["delete"], requests["deletecollection"]) == (0, 1)
    assert requests["log"] == requests["create"] == 4  # a failure's log, copied at once; nothing else read
    assert cluster.cluster.pods == {}
    assert FAILED_LOG in registered.settings.data_dir.joinpath("logs").glob("*.log").__next__().read_text()


@pytest.mark.slow
def test_the_server_runs_tasks_as_pods_when_told_to(tmp_path: Path, cluster: FakeApiServer, database: str) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": cluster.api().api_client.configuration.host}}],
            "users": [{"name": "fake", "user": {}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake", "namespace": "latchlike"}}],
        })
    )  # fmt: skip
    env = {"LATCHLIKE_EXECUTOR": "kubernetes", "KUBECONFIG": str(kubeconfig), "LATCHLIKE_KUBERNETES_KEEP_PODS": "true",
           "LATCHLIKE_KUBERNETES_OWNER_DEPLOYMENT": "latchlike"}  # fmt: skip
    server = start_server(tmp_path / "data", env=env)
    try:
        name = launch_over_http(server, "workflows.hello.hello_world", {"name": "Ada", "times": 2})
        execution = wait_over_http(server, name, lambda e: e["phase"] == "SUCCEEDED")
        assert [(n["node_id"], n["phase"]) for n in execution["nodes"]] == [("n0", "SUCCEEDED"), ("n1", "SUCCEEDED")]
        pods = list(cluster.cluster.pods.values())  # kept, as the setting asks
        assert sorted(pod["metadata"]["labels"]["latchlike.io/node"] for pod in pods) == ["n0", "n1"]
        assert {pod["metadata"]["labels"]["latchlike.io/execution"] for pod in pods} == {name}
        for manifest in cluster.cluster.created:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
            [owner] = manifest["metadata"]["ownerReferences"]
            assert (owner["kind"], owner["name"]) == ("Deployment", "latchlike") and owner["uid"]
        log = httpx.get(f"{server.url}/executions/flytesnacks/development/{name}/nodes/n0/1/log")
        assert log.status_code == 200
    finally:
        server.stop()


def test_a_shared_data_claim_is_mounted_where_the_server_keeps_its_store() -> None:
    settings = PodSettings(namespace="latchlike", data_claim="latchlike-data", data_path="/data")
    manifest = pod_manifest(_task("p-d-e-n0-1"), settings)
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert manifest["spec"]["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "latchlike-data"}}]
    assert manifest["spec"]["containers"][0]["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]


@pytest.mark.slow
def test_a_tasks_pod_template_is_kept_and_its_primary_container_runs(
    registered: Platform, cluster: FakeApiServer
) -> None:
    executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=registered.settings.data_dir / "logs")
    execution = run_until_done(registered, launch(registered, "pipelines.pods.templated", {"x": 1}), executor=executor)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 2
    [manifest] = cluster.cluster.created
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert manifest["metadata"]["labels"]["team"] == "genomics"
    assert manifest["spec"]["tolerations"] == [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]
    primary, sidecar = manifest["spec"]["containers"]
    assert (primary["name"], sidecar["name"], sidecar["image"]) == ("primary", "sidecar", "busybox:1.36")
    assert "pyflyte-execute" in primary["command"] and "args" not in primary
    assert primary["resources"] == {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
    log = (registered.settings.data_dir / "logs").glob(f"*{execution.name}-n0-1.log")
    assert "without an exit code" not in next(log).read_text()  # the primary container's exit was read


@pytest.mark.slow
def test_a_pod_template_task_runs_locally_from_its_primary_container(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.pods.templated", {"x": 41}))
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 42
