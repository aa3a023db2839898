"""A task attempt as a Kubernetes pod manifest, and a pod's status as an attempt's end.

Pure functions over plain dicts (what the API server takes and returns as JSON), so every
manifest can be checked against the official schema offline.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from latchlike.engine.executors import TaskRun
from latchlike.engine.executors.pod_secrets import add_secrets

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "latchlike"
RUN_KEY_ANNOTATION = "latchlike.io/run-key"
PRIMARY_ANNOTATION = "latchlike.io/primary-container"
"""Which container's exit decides the attempt (a pod template may add sidecars)."""
LABEL_PREFIX = "latchlike.io/"
SCOPE_ENV = {"project": "FLYTE_INTERNAL_EXECUTION_PROJECT", "domain": "FLYTE_INTERNAL_EXECUTION_DOMAIN"}
"""Labels naming where the attempt's execution lives, read from the environment flytekit gets:
execution names are unique only within a project and domain."""
CONTAINER = "task"
"""The task's container, when the task brings no pod template naming its own."""
_NAME_LIMIT = 63
_INVALID = re.compile(r"[^a-z0-9-]+")
_LABEL_INVALID = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class PodSettings:
    namespace: str
    service_account: str | None = None
    store_env: Mapping[str, str] | None = None
    """Plain settings every task needs to reach the store (its endpoint)."""
    store_secret: str | None = None
    """A Secret whose keys become environment variables: the store's credentials."""
    owner: Mapping[str, str] | None = None
    """An ownerReference (apiVersion, kind, name, uid): deleting the owner deletes the pods."""
    data_claim: str | None = None
    data_path: str | None = None
    """A shared volume claim mounted at `data_path`: the server's local store, seen by pods."""


@functools.lru_cache(maxsize=1024)
def pod_name(key: str) -> str:
    """Deterministic and valid (a DNS label): the same attempt always names the same pod,
    so a restarted server finds the pod it created instead of creating another. Remembered:
    the executor and the manifest both ask, once each per attempt."""
    readable = _INVALID.sub("-", key.lower()).strip("-")
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"{readable[: _NAME_LIMIT - len(digest) - 1].rstrip('-')}-{digest}"


@functools.lru_cache(maxsize=1024)
def label_value(value: str) -> str:
    """Remembered: a map task's pods share all their label values but the node's."""
    cleaned = _LABEL_INVALID.sub("_", value)[:_NAME_LIMIT]
    return cleaned.strip("_.-") or "_"


def pod_manifest(run: TaskRun, settings: PodSettings) -> dict[str, Any]:
    """The task's pod template (when it has one) with latchlike's part filled in: the
    primary container's image, command, env and resources, names, labels, store access."""
    template = run.pod
    spec: dict[str, Any] = copy.deepcopy(dict(template.spec)) if template else {"containers": [{"name": CONTAINER}]}
    primary = template.primary if template else CONTAINER
    container = next(c for c in spec["containers"] if c.get("name") == primary)
    env = {item["name"]: item for item in container.get("env", [])}
    env |= {k: {"name": k, "value": v} for k, v in {**(settings.store_env or {}), **run.env}.items()}
    container.pop("args", None)  # the command below is command and args, filled in
    container |= {
        "image": run.image or container.get("image", ""),
        "command": list(run.command),
        "env": list(env.values()),
        "resources": _resources(run),
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }
    if run.secrets is not None:
        add_secrets(spec, container, run.secrets)
    if settings.store_secret:
        container["envFrom"] = [*container.get("envFrom", []), {"secretRef": {"name": settings.store_secret}}]
    if settings.data_claim and settings.data_path:
        mount = {"name": "data", "mountPath": settings.data_path}
        container["volumeMounts"] = [*container.get("volumeMounts", []), mount]
        claim = {"name": "data", "persistentVolumeClaim": {"claimName": settings.data_claim}}
        spec["volumes"] = [*spec.get("volumes", []), claim]
    spec["restartPolicy"] = "Never"
    if settings.service_account and "serviceAccountName" not in spec:
        spec["serviceAccountName"] = settings.service_account
    if run.timeout_seconds:
        spec["activeDeadlineSeconds"] = max(1, int(run.timeout_seconds))
    labels = {**(template.labels if template else {}), **run.user_labels, MANAGED_BY: MANAGER}
    labels |= {LABEL_PREFIX + k: label_value(run.env.get(v, "")) for k, v in SCOPE_ENV.items()}
    labels |= {LABEL_PREFIX + k: label_value(v) for k, v in run.labels.items()}
    metadata: dict[str, Any] = {
        "name": pod_name(run.key),
        "namespace": settings.namespace,
        "labels": labels,
        "annotations": {
            **(template.annotations if template else {}),
            **run.annotations,
            RUN_KEY_ANNOTATION: run.key,
            PRIMARY_ANNOTATION: primary,
        },
    }
    if settings.owner:
        metadata["ownerReferences"] = [{**settings.owner, "blockOwnerDeletion": False, "controller": False}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


@functools.lru_cache(maxsize=256)
def execution_selector(project: str, domain: str, execution: str) -> str:
    """A label selector for the pods of one execution, and only those."""
    scope = {"project": project, "domain": domain, "execution": execution}
    return ",".join([f"{MANAGED_BY}={MANAGER}", *(f"{LABEL_PREFIX}{k}={label_value(v)}" for k, v in scope.items())])


def pod_selector(pod: Mapping[str, Any]) -> str | None:
    """`execution_selector` of the execution a pod belongs to, from its labels; None when
    they do not say (a pod made before the labels named project and domain)."""
    labels = (pod.get("metadata") or {}).get("labels") or {}
    project, domain, execution = (labels.get(LABEL_PREFIX + key) for key in ("project", "domain", "execution"))
    if project is None or domain is None or execution is None:
        return None
    return execution_selector(project, domain, execution)


def run_selector(run: TaskRun) -> str:
    """`execution_selector` of the execution this attempt belongs to."""
    project, domain = (run.env.get(SCOPE_ENV[k], "") for k in ("project", "domain"))
    return execution_selector(project, domain, run.labels.get("execution", ""))


def _resources(run: TaskRun) -> dict[str, dict[str, str]]:
    """Flyte's rule: a limit without a request requests the limit; a request without a
    limit is limited by it."""
    requests = {**run.limits, **run.requests}
    limits = {**run.requests, **run.limits}
    return {key: value for key, value in (("requests", requests), ("limits", limits)) if value}


@dataclass(frozen=True)
class PodEnd:
    exit_code: int
    """The container's exit code; -1 when it never ran to an exit (evicted, deadline)."""
    reason: str
    timed_out: bool = False
    stopped: bool = False
    """latchlike gave up on it (timeout, never scheduled): the pod must go even if kept."""
    out_of_memory: bool = False


def pod_end(pod: Mapping[str, Any]) -> PodEnd | None:
    """How a pod ended, or None while it has not."""
    status = pod.get("status") or {}
    phase = status.get("phase")
    if phase not in ("Succeeded", "Failed"):
        return None
    primary = primary_container(pod)
    for container in status.get("containerStatuses") or []:
        terminated = (container.get("state") or {}).get("terminated")
        if container.get("name") == primary and terminated:
            reason = terminated.get("reason") or phase
            return PodEnd(int(terminated.get("exitCode", -1)), reason, out_of_memory=reason == "OOMKilled")
    reason = status.get("reason") or phase
    message = status.get("message") or ""
    return PodEnd(-1, f"{reason}: {message}".strip(": "), timed_out=reason == "DeadlineExceeded")


def primary_container(pod: Mapping[str, Any]) -> str:
    return str(((pod.get("metadata") or {}).get("annotations") or {}).get(PRIMARY_ANNOTATION, CONTAINER))


def unschedulable(pod: Mapping[str, Any]) -> str | None:
    """The scheduler's message when it cannot place the pod (no node fits its requests)."""
    status = pod.get("status") or {}
    if status.get("phase") != "Pending":
        return None
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "Unschedulable":
            return str(condition.get("message") or "no node can run this pod")
    return None
