"""The process an attempt runs: the task's container command (`contract`) with Flyte's
template variables filled in with store locations, and the environment propeller gives."""

from __future__ import annotations

from collections.abc import Mapping

from flyteidl.core import tasks_pb2

from latchlike.engine.contract import contract
from latchlike.engine.executors import TaskRun
from latchlike.engine.executors.secrets import TaskSecrets
from latchlike.store import FileStore

ARRAY_INDEX_VARIABLE = "FLYTE_K8S_ARRAY_INDEX"
_INPUT, _PREFIX, _PREVIOUS = "input", "prefix", "previous"
_VARIABLES: dict[str, tuple[str, str]] = {
    "{{.input}}": (_INPUT, ""),
    "{{.Input}}": (_INPUT, ""),
    "{{.outputPrefix}}": (_PREFIX, ""),
    "{{.OutputPrefix}}": (_PREFIX, ""),
    "{{.rawOutputDataPrefix}}": (_PREFIX, "/raw"),
    "{{.RawOutputDataPrefix}}": (_PREFIX, "/raw"),
    "{{.checkpointOutputPrefix}}": (_PREFIX, "/checkpoint"),
    "{{.prevCheckpointPrefix}}": (_PREVIOUS, "/checkpoint"),
}
"""Each template variable: which store key it names (the inputs, the attempt's prefix or the
previous attempt's) and what follows that key. A store's URIs extend as its keys do (a local
path, an `s3://` URL), so the URI of `prefix + "/raw"` is that of `prefix` and "/raw"."""


class TaskCommand:
    """One task's attempts, worked out once and shared: a map task's 10,000 items differ only
    in their store prefix, index and attempt, so only those are filled in per attempt, and
    only the store locations the command names are computed."""

    def __init__(
        self,
        store: FileStore,
        template: tasks_pb2.TaskTemplate,
        *,
        env: Mapping[str, str],
        user_labels: Mapping[str, str],
        annotations: Mapping[str, str],
        secrets: TaskSecrets | None = None,
    ) -> None:
        """`env` is the execution's environment, over the task's own; `secrets` what the task
        asked for, resolved in its workspace."""
        self._store = store
        self._task = contract(template)
        self._slots = [(i, _VARIABLES[arg]) for i, arg in enumerate(self._task.command) if arg in _VARIABLES]
        self._env = {**self._task.env, **env}
        self._user_labels, self._annotations = user_labels, annotations
        self._secrets = secrets
        has_timeout = template.metadata.HasField("timeout")
        self._timeout = template.metadata.timeout.ToTimedelta().total_seconds() if has_timeout else 0
        self._inputs_uris: dict[str, str] = {}
        """The URI of each inputs key seen: a map task's items all read their array node's."""

    def run(
        self,
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
        command = list(self._task.command)
        at = self._store.uri(prefix) if self._slots else ""
        for index, (what, suffix) in self._slots:
            if what == _INPUT:
                command[index] = self._inputs_uri(inputs_key)
            elif what == _PREFIX:
                command[index] = at + suffix
            else:
                command[index] = self._store.uri(previous_prefix) + suffix if previous_prefix else ""
        task = self._task
        return TaskRun(
            key,
            tuple(command),
            {**self._env, **env},
            self._timeout or None,
            image=task.image,
            requests=task.requests,
            limits=task.limits,
            labels=labels,
            user_labels=self._user_labels,
            annotations=self._annotations,
            pod=task.pod,
            secrets=self._secrets,
        )

    def _inputs_uri(self, key: str) -> str:
        uri = self._inputs_uris.get(key)
        if uri is None:
            uri = self._inputs_uris[key] = self._store.uri(key)
        return uri


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
