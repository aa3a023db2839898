"""The executor the settings ask for."""

from __future__ import annotations

import os

from latchlike.config import Settings
from latchlike.engine.executors import Executor
from latchlike.engine.executors.local import LocalExecutor
from latchlike.store import FileStore
from latchlike.store.local import LocalFileStore


def build_executor(settings: Settings, store: FileStore) -> Executor:
    if settings.executor == "local":
        return LocalExecutor(
            settings.data_dir, max_parallel=settings.max_parallel_tasks, warm=settings.warm_start,
            store_env=store.task_env(),
            read_only=store.input_only_folders() if isinstance(store, LocalFileStore) else (),
        )  # fmt: skip
    return _kubernetes(settings)


def _kubernetes(settings: Settings) -> Executor:
    from kubernetes import client, config

    from latchlike.engine.executors.kubernetes import KubernetesExecutor
    from latchlike.engine.executors.pods import PodSettings

    if os.environ.get("KUBERNETES_SERVICE_HOST"):  # running in the cluster: its service account
        config.load_incluster_config()
    else:
        config.load_kube_config()
    store_env = {"FLYTE_AWS_ENDPOINT": settings.s3_endpoint} if settings.s3_endpoint else {}
    owner = None
    if settings.kubernetes_owner_deployment:
        # Task pods belong to the server's Deployment: uninstalling latchlike removes them,
        # while a restart of the server's own pod leaves them running.
        deployment = client.AppsV1Api().read_namespaced_deployment(
            settings.kubernetes_owner_deployment, settings.kubernetes_namespace
        )
        owner = {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment.metadata.name,
                 "uid": deployment.metadata.uid}  # fmt: skip
    pods = PodSettings(
        namespace=settings.kubernetes_namespace,
        service_account=settings.kubernetes_service_account or None,
        store_env=store_env,
        store_secret=settings.kubernetes_store_secret or None,
        data_claim=settings.kubernetes_data_claim or None,
        data_path=str(settings.data_dir),
        owner=owner,
    )
    return KubernetesExecutor(
        client.CoreV1Api(),
        pods,
        log_dir=settings.data_dir / "logs",
        keep_pods=settings.kubernetes_keep_pods,
        unschedulable_seconds=settings.kubernetes_unschedulable_seconds,
    )
