"""Workspace secrets with the Kubernetes executor, against the fake API server: the values go
into one Secret per workspace, pods only refer to it (`secretKeyRef`, a secret volume), and
a real flytekit task in a pod reads them as it would under propeller."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import httpx
import kubernetes_validate
import pytest
import yaml

from latchlike.engine.executors import TaskRun
from latchlike.engine.executors.kubernetes import KubernetesExecutor
from latchlike.engine.executors.pod_secrets import MOUNT_PATH, secret_manifest, secret_name
from latchlike.engine.executors.pods import PodSettings, pod_manifest
from latchlike.engine.executors.secrets import MountAs, SecretValue, TaskSecret, TaskSecrets
from latchlike.executions.service import ExecutionKey, get_execution
from latchlike.platform import Platform
from tests.accounts.vault import CERT, TOKEN, digest, holds_secret, registered_vault, set_value, vault
from tests.engine.running import launch, run_until_done
from tests.k8s.fake_api import FakeApiServer, FakeCluster, always
from tests.k8s.test_manifests import KUBERNETES_VERSION
from tests.server import start_server

__all__ = ["registered_vault", "vault"]  # fixtures
SETTINGS = PodSettings(namespace="latchlike", service_account="latchlike-tasks")


def test_a_pod_refers_to_its_workspaces_secret_and_holds_no_value() -> None:
    secrets = TaskSecrets("lab-a", (
        TaskSecret("lab-api", "token", MountAs.ENV, SecretValue(TOKEN), env_var="API_TOKEN"),
        TaskSecret("lab-api", "cert", MountAs.FILE, SecretValue(CERT), env_var="CERT_PATH"),
    ))  # fmt: skip
    run = TaskRun("flytesnacks-development-abc-n0-1", ("pyflyte-execute",), {"A": "1"}, secrets=secrets)
    manifest = pod_manifest(run, SETTINGS)
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert not holds_secret(json.dumps(manifest).encode())
    [container] = manifest["spec"]["containers"]
    env = {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}
    reference = {"secretKeyRef": {"name": "latchlike-secrets-lab-a", "key": "lab-api.token"}}
    assert env["_FSEC_LAB-API_TOKEN"] == env["API_TOKEN"] == reference
    assert (env["FLYTE_SECRETS_DEFAULT_DIR"], env["CERT_PATH"]) == (MOUNT_PATH, f"{MOUNT_PATH}/lab-api/cert")
    assert container["volumeMounts"] == [{"name": "latchlike-secrets", "mountPath": MOUNT_PATH, "readOnly": True}]
    [volume] = manifest["spec"]["volumes"]
    assert volume["secret"] == {"secretName": "latchlike-secrets-lab-a",
                                "items": [{"key": "lab-api.cert", "path": "lab-api/cert"}]}  # fmt: skip


@pytest.mark.slow
def test_a_task_in_a_pod_reads_the_secrets_its_workspace_keeps_in_the_cluster(registered_vault: Platform) -> None:
    platform = registered_vault
    set_value(platform, "lab-api", "token", TOKEN)
    set_value(platform, "lab-api", "cert", CERT)
    with FakeApiServer(FakeCluster()) as cluster:
        executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=platform.settings.data_dir / "logs")
        key = launch(platform, "vault.tasks.uses_secrets", {"salt": "pepper"})
        execution = run_until_done(platform, key, executor=executor)
        assert execution.phase == "SUCCEEDED", execution.error
        with platform.db.session() as session:
            outputs = get_execution(session, ExecutionKey(key.project, key.domain, key.name)).outputs
        assert outputs is not None
        seen = [outputs.literals[name].scalar.primitive.string_value for name in ("o0", "o1")]
        assert seen == [f"env:{digest('pepper', TOKEN)}", f"file:{digest('pepper', CERT)}"]
        stored = cluster.cluster.secrets[secret_name("default")]
        assert {k: base64.b64decode(v).decode() for k, v in stored["data"].items()} == {
            "lab-api.token": TOKEN, "lab-api.cert": CERT}  # fmt: skip
        for manifest in cluster.cluster.created:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
            assert not holds_secret(json.dumps(manifest).encode())
        # A value goes in when it is new to this server: the first task's create (its patch found no
        # Secret), the second's patch. A server started after a rotation writes each task's values once.
        assert cluster.cluster.requests["secret-create"] + cluster.cluster.requests["secret-patch"] == 3
        set_value(platform, "lab-api", "token", TOKEN + "-rotated")
        executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=platform.settings.data_dir / "logs")
        again = run_until_done(platform, launch(platform, "vault.tasks.uses_secrets", {"salt": "p"}), executor=executor)
        assert again.phase == "SUCCEEDED", again.error
        assert cluster.cluster.secret_value(secret_name("default"), "lab-api.token") == TOKEN + "-rotated"
        assert cluster.cluster.requests["secret-create"] + cluster.cluster.requests["secret-patch"] == 5


def test_a_deleted_secret_leaves_the_workspaces_cluster_secret(tmp_path: Path) -> None:
    """Its value goes from the Secret at once (not when a value of that name next overwrites
    it), and a value set again under that name is put there again."""
    secrets = TaskSecrets("lab-a", (
        TaskSecret("lab-api", "token", MountAs.ENV, SecretValue(TOKEN)),
        TaskSecret("lab-api", "cert", MountAs.FILE, SecretValue(CERT)),
    ))  # fmt: skip
    name = secret_name("lab-a")

    async def scenario(cluster: FakeApiServer) -> None:
        executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=tmp_path)
        try:
            first = await executor.run(TaskRun("flytesnacks-development-a-n0-1", ("true",), {}, secrets=secrets))
            assert first.exit_code == 0
            assert set(cluster.cluster.secrets[name]["data"]) == {"lab-api.token", "lab-api.cert"}
            await executor.forget_secret("lab-a", "lab-api", "token")
            assert set(cluster.cluster.secrets[name]["data"]) == {"lab-api.cert"}
            await executor.forget_secret("lab-b", "lab-api", "token")  # no Secret at all: nothing to remove
            again = await executor.run(TaskRun("flytesnacks-development-b-n0-1", ("true",), {}, secrets=secrets))
            assert again.exit_code == 0
            assert cluster.cluster.secret_value(name, "lab-api.token") == TOKEN
        finally:
            await executor.close()

    with FakeApiServer(FakeCluster(always("succeed"))) as cluster:
        asyncio.run(scenario(cluster))


@pytest.mark.slow
def test_deleting_a_secret_over_http_removes_it_from_the_cluster(tmp_path: Path, database: str) -> None:
    """A real server running tasks as pods: the DELETE of a secret takes its value out of the
    workspace's Secret, and leaves the workspace's other values there."""
    with FakeApiServer(FakeCluster(always("succeed"))) as cluster:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": cluster.api().api_client.configuration.host}}],
            "users": [{"name": "fake", "user": {}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake", "namespace": "latchlike"}}],
        }))  # fmt: skip
        env = {"LATCHLIKE_EXECUTOR": "kubernetes", "KUBECONFIG": str(kubeconfig), "LATCHLIKE_RUN_ENGINE": "false"}
        server = start_server(tmp_path / "data", builtins=False, env=env)
        try:
            secrets = f"{server.url}/api/workspaces/default/secrets"
            for key, value in (("token", TOKEN), ("cert", CERT)):
                assert httpx.put(f"{secrets}/lab-api/{key}", json={"value": value}, timeout=30).status_code == 200
            # What a task asking for both put there.
            stored = TaskSecrets("default", (
                TaskSecret("lab-api", "token", MountAs.ENV, SecretValue(TOKEN)),
                TaskSecret("lab-api", "cert", MountAs.FILE, SecretValue(CERT)),
            ))  # fmt: skip
            cluster.cluster.create_secret(secret_manifest(stored, "latchlike", {}))
            assert httpx.delete(f"{secrets}/LAB-API/Token", timeout=30).status_code == 204
            assert set(cluster.cluster.secrets[secret_name("default")]["data"]) == {"lab-api.cert"}
            assert cluster.cluster.secret_value(secret_name("default"), "lab-api.cert") == CERT
            # The API server down for the DELETE: a 503 saying so, and the retry finishes the job.
            cluster.cluster.secret_patch_outages = 1
            refused = httpx.delete(f"{secrets}/lab-api/cert", timeout=30)
            assert refused.status_code == 503 and "is deleted, but the cluster refused" in refused.text, refused.text
            assert "lab-api.cert" in cluster.cluster.secrets[secret_name("default")]["data"]
            retried = httpx.delete(f"{secrets}/lab-api/cert", timeout=30)
            assert retried.status_code == 404, retried.text
            assert cluster.cluster.secrets[secret_name("default")]["data"] == {}
        finally:
            server.stop()
