"""The container contract `pyflyte register` recorded for a task, whichever way it was
given: a plain `container`, or a `k8s_pod` (a task with a `pod_template`) whose primary
container carries the image, command, env and resources, beside the rest of the pod."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flyteidl.core import tasks_pb2
from google.protobuf.json_format import MessageToDict

DEFAULT_PRIMARY = "primary"
_RESOURCE_NAMES = {
    tasks_pb2.Resources.CPU: "cpu",
    tasks_pb2.Resources.MEMORY: "memory",
    tasks_pb2.Resources.GPU: "nvidia.com/gpu",
    tasks_pb2.Resources.EPHEMERAL_STORAGE: "ephemeral-storage",
}


class NoContainer(ValueError):
    """The task has no container latchlike can run (a SQL task, a plugin task)."""


@dataclass(frozen=True)
class PodTemplate:
    """The task's own pod: everything but what latchlike fills into the primary container."""

    spec: Mapping[str, Any]
    primary: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Contract:
    image: str
    command: tuple[str, ...]
    """Command then args, template variables still in."""
    env: dict[str, str]
    requests: dict[str, str]
    limits: dict[str, str]
    pod: PodTemplate | None = None


def contract(template: tasks_pb2.TaskTemplate) -> Contract:
    match template.WhichOneof("target"):
        case "container":
            container = template.container
            return Contract(
                container.image,
                (*container.command, *container.args),
                {pair.key: pair.value for pair in container.env},
                _entries(container.resources.requests),
                _entries(container.resources.limits),
            )
        case "k8s_pod":
            return _from_pod(template)
    raise NoContainer(f"task {template.id.name} ({template.type}) has no container to run")


def _from_pod(template: tasks_pb2.TaskTemplate) -> Contract:
    spec = MessageToDict(template.k8s_pod.pod_spec)
    name = template.config.get("primary_container_name", DEFAULT_PRIMARY)
    primary = next((c for c in spec.get("containers", []) if c.get("name") == name), None)
    if primary is None:
        raise NoContainer(f"task {template.id.name}'s pod template has no container named {name!r}")
    metadata = MessageToDict(template.k8s_pod.metadata)
    resources = primary.get("resources") or {}
    pod = PodTemplate(copy.deepcopy(spec), name, metadata.get("labels", {}), metadata.get("annotations", {}))
    return Contract(
        primary.get("image", ""),
        (*primary.get("command", []), *primary.get("args", [])),
        {item["name"]: item.get("value", "") for item in primary.get("env", [])},
        {k: str(v) for k, v in (resources.get("requests") or {}).items()},
        {k: str(v) for k, v in (resources.get("limits") or {}).items()},
        pod,
    )


def _entries(entries: Iterable[tasks_pb2.Resources.ResourceEntry]) -> dict[str, str]:
    return {_RESOURCE_NAMES[entry.name]: entry.value for entry in entries if entry.name in _RESOURCE_NAMES}
