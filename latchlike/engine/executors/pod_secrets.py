"""A task's secrets in a pod: one Kubernetes Secret per workspace holds the values (key
`<group>.<key>`), and the pod only refers to it, as propeller's secret injector does, so no
value is ever in a pod manifest. `ENV_VAR`/`ANY` requests become `secretKeyRef` variables
named as flytekit reads them (`secrets.env_name`); `FILE` requests become files of one
secret volume at `MOUNT_PATH`, below which flytekit looks (`FLYTE_SECRETS_DEFAULT_DIR`).
"""

from __future__ import annotations

import base64
from typing import Any

from latchlike.engine.executors.secrets import (
    DIR_VARIABLE,
    ENV_PREFIX,
    FILE_PREFIX_VARIABLE,
    PREFIX_VARIABLE,
    MountAs,
    TaskSecrets,
    env_name,
    file_path,
)

__all__ = ["MOUNT_PATH", "VOLUME", "add_secrets", "secret_data", "secret_manifest", "secret_name"]

MOUNT_PATH = "/etc/latchlike/secrets"
VOLUME = "latchlike-secrets"


def secret_name(workspace: str) -> str:
    """Workspace ids are DNS labels, so this is a valid Secret name."""
    return f"latchlike-secrets-{workspace}"


def secret_data(secrets: TaskSecrets) -> dict[str, str]:
    """The Secret's `data` for these values (base64, as the API takes it)."""
    return {item.data_key: base64.b64encode(item.value.reveal().encode()).decode() for item in secrets.secrets}


def secret_manifest(secrets: TaskSecrets, namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    metadata = {"name": secret_name(secrets.workspace), "namespace": namespace, "labels": labels}
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": metadata, "data": secret_data(secrets)}


def add_secrets(spec: dict[str, Any], container: dict[str, Any], secrets: TaskSecrets) -> None:
    """Refer `container` (in `spec`) to the workspace's Secret for each requested secret."""
    name = secret_name(secrets.workspace)
    env: list[dict[str, Any]] = [{"name": PREFIX_VARIABLE, "value": ENV_PREFIX}]
    items: list[dict[str, str]] = []
    for item in secrets.secrets:
        if item.mount is MountAs.FILE:
            items.append({"key": item.data_key, "path": str(file_path(item))})
            if item.env_var:
                env.append({"name": item.env_var, "value": f"{MOUNT_PATH}/{file_path(item)}"})
            continue
        reference = {"valueFrom": {"secretKeyRef": {"name": name, "key": item.data_key}}}
        env.append({"name": env_name(item), **reference})
        if item.env_var:
            env.append({"name": item.env_var, **reference})
    if items:
        env += [{"name": DIR_VARIABLE, "value": MOUNT_PATH}, {"name": FILE_PREFIX_VARIABLE, "value": ""}]
        spec["volumes"] = [*spec.get("volumes", []), {"name": VOLUME, "secret": {"secretName": name, "items": items}}]
        mount = {"name": VOLUME, "mountPath": MOUNT_PATH, "readOnly": True}
        container["volumeMounts"] = [*container.get("volumeMounts", []), mount]
    taken = {variable["name"] for variable in env}
    container["env"] = [*(v for v in container.get("env", []) if v["name"] not in taken), *env]
