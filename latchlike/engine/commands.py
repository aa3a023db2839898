"""The process an attempt runs: the task template's container command with Flyte's
template variables filled in with store locations, and the environment propeller gives."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flyteidl.core import tasks_pb2

from latchlike.engine.executors import TaskRun
from latchlike.store import FileStore

ARRAY_INDEX_VARIABLE = "FLYTE_K8S_ARRAY_INDEX"


def task_run(
    store: FileStore,
    template: tasks_pb2.TaskTemplate,
    *,
    key: str,
    inputs_key: str,
    prefix: str,
    previous_prefix: str | None,
    env: Mapping[str, str],
    labels: Mapping[str, str],
) -> TaskRun:
    """`prefix` is the attempt's store prefix (outputs, raw data, checkpoint go under it);
    `previous_prefix` the previous attempt's, whose checkpoint a retry may resume from."""
    values = {
        "{{.input}}": store.uri(inputs_key),
        "{{.Input}}": store.uri(inputs_key),
        "{{.outputPrefix}}": store.uri(prefix),
        "{{.OutputPrefix}}": store.uri(prefix),
        "{{.rawOutputDataPrefix}}": store.uri(prefix + "/raw"),
        "{{.RawOutputDataPrefix}}": store.uri(prefix + "/raw"),
        "{{.checkpointOutputPrefix}}": store.uri(prefix + "/checkpoint"),
        "{{.prevCheckpointPrefix}}": store.uri(previous_prefix + "/checkpoint") if previous_prefix else "",
    }
    container = template.container
    command = tuple(values.get(arg, arg) for arg in (*container.command, *container.args))
    timeout = template.metadata.timeout.ToTimedelta().total_seconds() if template.metadata.HasField("timeout") else 0
    return TaskRun(
        key,
        command,
        {**{pair.key: pair.value for pair in container.env}, **env},
        timeout or None,
        image=container.image,
        requests=_resources(container.resources.requests),
        limits=_resources(container.resources.limits),
        labels=labels,
    )


_RESOURCE_NAMES = {
    tasks_pb2.Resources.CPU: "cpu",
    tasks_pb2.Resources.MEMORY: "memory",
    tasks_pb2.Resources.GPU: "nvidia.com/gpu",
    tasks_pb2.Resources.EPHEMERAL_STORAGE: "ephemeral-storage",
}


def _resources(entries: Iterable[tasks_pb2.Resources.ResourceEntry]) -> dict[str, str]:
    return {_RESOURCE_NAMES[entry.name]: entry.value for entry in entries if entry.name in _RESOURCE_NAMES}


def flyte_env(project: str, domain: str, execution: str, attempt: int, array_index: int | None) -> dict[str, str]:
    """What flytekit reads of its execution context; a map task's item reads its index."""
    env = {
        "FLYTE_INTERNAL_EXECUTION_ID": execution,
        "FLYTE_INTERNAL_EXECUTION_PROJECT": project,
        "FLYTE_INTERNAL_EXECUTION_DOMAIN": domain,
        "FLYTE_ATTEMPT_NUMBER": str(attempt - 1),
    }
    if array_index is not None:
        env |= {"BATCH_JOB_ARRAY_INDEX_VAR_NAME": ARRAY_INDEX_VARIABLE, ARRAY_INDEX_VARIABLE: str(array_index)}
    return env
