"""A task attempt's secrets as its process reads them: flytekit's `SecretsManager` looks for
the environment variable `_FSEC_<GROUP>_<KEY>` (upper-cased; `FLYTE_SECRETS_ENV_PREFIX`
changes the prefix), then for the file `<FLYTE_SECRETS_DEFAULT_DIR>/<group>/<key>`
(lower-cased). A request mounted as `FILE` gets the file, `ENV_VAR` and `ANY` the variable;
a request's own `env_var` names one more variable: the value, or for a file its path.

Values travel in `SecretValue`, whose repr hides them, so a `TaskRun` printed or logged
shows that a secret is there and never what it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

__all__ = [
    "ENV_PREFIX",
    "MountAs",
    "SecretValue",
    "TaskSecret",
    "TaskSecrets",
    "data_key",
    "env_name",
    "file_path",
    "process_env",
    "write_files",
]

ENV_PREFIX = "_FSEC_"
"""flytekit's default prefix, which the attempt is also told (`FLYTE_SECRETS_ENV_PREFIX`)."""
PREFIX_VARIABLE = "FLYTE_SECRETS_ENV_PREFIX"
DIR_VARIABLE = "FLYTE_SECRETS_DEFAULT_DIR"
FILE_PREFIX_VARIABLE = "FLYTE_SECRETS_FILE_PREFIX"


class MountAs(StrEnum):
    ENV = "env"
    FILE = "file"


@dataclass(frozen=True)
class SecretValue:
    """A secret's clear text, out of every repr."""

    _text: str = field(repr=False)

    def reveal(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return "SecretValue(<hidden>)"


def data_key(group: str, key: str) -> str:
    """A secret's key in its workspace's Kubernetes Secret: group and key are `[a-z0-9_-]`,
    so a dot cannot be part of either."""
    return f"{group}.{key}"


@dataclass(frozen=True)
class TaskSecret:
    group: str
    key: str
    mount: MountAs
    value: SecretValue
    group_version: str = ""
    env_var: str = ""
    """The request's own variable name (flytekit's `Secret.env_var`), if it gave one."""

    @property
    def data_key(self) -> str:
        """Its key in the workspace's Kubernetes Secret."""
        return data_key(self.group, self.key)


@dataclass(frozen=True)
class TaskSecrets:
    """What one task asks for, with the values of the workspace its execution belongs to."""

    workspace: str
    secrets: tuple[TaskSecret, ...]


def env_name(secret: TaskSecret, prefix: str = ENV_PREFIX) -> str:
    """The variable flytekit reads: prefix, then group, version and key upper-cased, joined by `_`."""
    return prefix + "_".join(part.upper() for part in (secret.group, secret.group_version, secret.key) if part)


def file_path(secret: TaskSecret) -> PurePosixPath:
    """Where flytekit looks below its secrets folder: group, version and key lower-cased."""
    return PurePosixPath(*(part.lower() for part in (secret.group, secret.group_version, secret.key) if part))


def process_env(secrets: Iterable[TaskSecret], secrets_dir: Path | PurePosixPath) -> dict[str, str]:
    """The variables a process gets for `secrets`, whose files (if any) are in `secrets_dir`."""
    env = {PREFIX_VARIABLE: ENV_PREFIX}
    for secret in secrets:
        if secret.mount is MountAs.FILE:
            env |= {DIR_VARIABLE: str(secrets_dir), FILE_PREFIX_VARIABLE: ""}
            if secret.env_var:
                env[secret.env_var] = str(secrets_dir / file_path(secret))
        else:
            env[env_name(secret)] = secret.value.reveal()
            if secret.env_var:
                env[secret.env_var] = secret.value.reveal()
    return env


def write_files(secrets: Iterable[TaskSecret], secrets_dir: Path) -> None:
    """The `FILE` secrets under `secrets_dir` (made 0700; each file 0600)."""
    for secret in secrets:
        if secret.mount is not MountAs.FILE:
            continue
        path = secrets_dir / file_path(secret)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(secrets_dir, 0o700)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w") as file:
            file.write(secret.value.reveal())
