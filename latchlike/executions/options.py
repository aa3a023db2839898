"""What a launch asks of how its execution runs, beyond inputs: `--overwrite-cache`,
`--envs`, `--labels`, `--annotations` and `max_parallelism`, from the launch itself or
else its launch plan. Each is checked here, so a value latchlike could not honour is
refused with the reason instead of being ignored."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flyteidl.admin import execution_pb2, launch_plan_pb2

from latchlike.errors import InvalidArgument

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RESERVED_ENV = ("FLYTE_INTERNAL_", "FLYTE_ATTEMPT_NUMBER", "FLYTE_AWS_", "BATCH_JOB_ARRAY_INDEX_VAR_NAME",
                 "FLYTE_K8S_ARRAY_INDEX")  # fmt: skip
"""Variables the engine sets for flytekit (execution id, attempt, store access, map index)."""
_LABEL_NAME = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")
_DNS_PREFIX = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")


@dataclass(frozen=True)
class ExecutionOptions:
    overwrite_cache: bool = False
    """Cached tasks run again and their outputs replace the cached ones."""
    envs: Mapping[str, str] = field(default_factory=dict)
    """Added to every task process's environment."""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    """Shown with the execution; on Kubernetes, put onto every pod as they are."""
    max_parallelism: int = 0
    """Task attempts running at once; 0: no limit."""

    def over(self, defaults: ExecutionOptions) -> ExecutionOptions:
        """These options where given, the launch plan's `defaults` elsewhere (as FlyteAdmin)."""
        return ExecutionOptions(
            overwrite_cache=self.overwrite_cache or defaults.overwrite_cache,
            envs=self.envs or defaults.envs,
            labels=self.labels or defaults.labels,
            annotations=self.annotations or defaults.annotations,
            max_parallelism=self.max_parallelism or defaults.max_parallelism,
        )


def spec_options(spec: launch_plan_pb2.LaunchPlanSpec | execution_pb2.ExecutionSpec) -> ExecutionOptions:
    """A launch plan's options, or a launch's own: FlyteAdmin's two specs name them alike."""
    return ExecutionOptions(
        overwrite_cache=spec.overwrite_cache,
        envs={pair.key: pair.value for pair in spec.envs.values},
        labels=dict(spec.labels.values),
        annotations=dict(spec.annotations.values),
        max_parallelism=spec.max_parallelism,
    )


def check_options(options: ExecutionOptions) -> None:
    """Raises InvalidArgument naming the first option latchlike cannot honour."""
    for name in options.envs:
        if not _ENV_NAME.fullmatch(name):
            raise InvalidArgument(f"--envs: {name!r} is not an environment variable name")
        if name.startswith(_RESERVED_ENV):
            raise InvalidArgument(f"--envs: {name} is set by latchlike for flytekit and cannot be overridden")
    for what, values in (("--labels", options.labels), ("--annotations", options.annotations)):
        for key, value in values.items():
            problem = _key_problem(key)
            if problem:
                raise InvalidArgument(f"{what}: key {key!r} {problem} (Kubernetes' rule)")
            if what == "--labels" and not _LABEL_NAME.fullmatch(value):
                raise InvalidArgument(
                    f"--labels: value {value!r} of {key}: use up to 63 letters, digits, '-', '_' or '.',"
                    " starting and ending with a letter or digit (Kubernetes' rule)"
                )
    if options.max_parallelism < 0:
        raise InvalidArgument(f"max_parallelism {options.max_parallelism}: use 0 (no limit) or more")


def _key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and not _DNS_PREFIX.fullmatch(prefix):
        return "has a prefix that is not a lowercase DNS name"
    if not name or not _LABEL_NAME.fullmatch(name):
        return "needs a name of up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
    return None


DEFAULTS = ExecutionOptions()
"""Nothing asked: the launch plan's options, or none."""
