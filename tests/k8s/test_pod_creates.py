"""Pods are created as the client would create them (`kubernetes_create`): with its bearer
token, and a pod the API server refuses fails its attempt quoting the refusal as text."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kubernetes import client

from latchlike.engine.executors import RunResult, TaskRun
from latchlike.engine.executors.kubernetes import KubernetesExecutor
from latchlike.engine.executors.pods import pod_name
from tests.k8s.fake_api import FakeApiServer, FakeCluster, always
from tests.k8s.test_kubernetes_executor import SETTINGS, _task

TOKEN = "s3cret-token"


def _run(api: client.CoreV1Api, tmp_path: Path, run: TaskRun) -> RunResult:
    async def go() -> RunResult:
        executor = KubernetesExecutor(api, SETTINGS, log_dir=tmp_path)
        try:
            return await asyncio.wait_for(executor.run(run), 60)
        finally:
            await executor.close()

    return asyncio.run(go())


def test_a_pod_is_created_with_the_clients_bearer_token(tmp_path: Path) -> None:
    with FakeApiServer(FakeCluster(behaviour=always("succeed"), token=TOKEN)) as server:
        result = _run(server.api(), tmp_path, _task("k-token-1"))
        assert result.exit_code == 0
        assert list(server.cluster.pods) == [pod_name("k-token-1")]
        anonymous = client.Configuration()
        anonymous.host = server.api().api_client.configuration.host
        refused = _run(client.CoreV1Api(client.ApiClient(anonymous)), tmp_path, _task("k-token-2"))
    assert refused.exit_code == -1 and refused.log_path is not None
    assert "the cluster refused the pod: 401 Unauthorized" in refused.log_path.read_text()


def test_a_pod_the_cluster_refuses_fails_its_attempt_quoting_why(tmp_path: Path) -> None:
    with FakeApiServer(FakeCluster(refused_images=frozenset({"ghcr.io/example/qc:1"}))) as server:
        result = _run(server.api(), tmp_path, _task("k-refused-1"))
        assert server.cluster.pods == {}
    assert result.exit_code == -1 and result.log_path is not None
    text = result.log_path.read_text()
    assert text.startswith("[latchlike] the cluster refused the pod: 422 Unprocessable Entity: {")
    assert "spec.containers[0].image: ghcr.io/example/qc:1 refused" in text
    assert "b'" not in text  # the answer's body as text, not as bytes' repr
