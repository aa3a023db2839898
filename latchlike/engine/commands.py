"""The process an attempt runs: the task's container command (`contract`) with Flyte's
template variables filled in with store locations, and the environment propeller gives."""

from __future__ import annotations

from collections.abc import Mapping

from flyteidl.core import tasks_pb2

from latchlike.engine.contract import contract
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
    user_labels: Mapping[str, str],
    annotations: Mapping[str, str],
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
    task = contract(template)
    timeout = template.metadata.timeout.ToTimedelta().total_seconds() if template.metadata.HasField("timeout") else 0
    return TaskRun(
        key,
        tuple(values.get(arg, arg) for arg in task.command),
        {**task.env, **env},
        timeout or None,
        image=task.image,
        requests=task.requests,
        limits=task.limits,
        labels=labels,
        user_labels=user_labels,
        annotations=annotations,
        pod=task.pod,
    )


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
