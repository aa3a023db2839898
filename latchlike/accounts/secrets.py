"""Workspace secrets: what flytekit tasks ask for with `secret_requests`, kept per workspace.

Values go in sealed (`secret_box`) and come out only to run a task (`task_secrets`); every
listing shows names. A task asks by group and key; a launch whose tasks ask for one the
workspace lacks is refused before anything is recorded (`require_secrets`), naming it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from datetime import datetime

from flyteidl.admin import workflow_pb2
from flyteidl.core import security_pb2, tasks_pb2
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.access import workspace_of
from latchlike.accounts.secret_box import SecretBox
from latchlike.accounts.secret_tables import WorkspaceSecretRow
from latchlike.accounts.tables import WorkspaceRow
from latchlike.db import begin_writing, utcnow
from latchlike.engine.executors.secrets import MountAs, SecretValue, TaskSecret, TaskSecrets
from latchlike.errors import InternalError, InvalidArgument, NotFound
from latchlike.executions.tables import ExecutionRow
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.service import get_entity

__all__ = [
    "SecretInfo",
    "SecretName",
    "delete_secret",
    "launch_secrets",
    "list_secrets",
    "require_secrets",
    "set_secret",
    "task_secrets",
]

log = logging.getLogger(__name__)

MAX_VALUE_BYTES = 64 * 1024
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")

SecretName = tuple[str, str]
"""(group, key), lower-cased: flytekit upper-cases them for variables and lower-cases them for files."""


class SecretInfo(BaseModel):
    """A secret as listings show it: never its value."""

    group: str
    key: str
    updated_by: str
    updated_at: datetime


def check_name(what: str, text: str) -> str:
    name = text.strip().lower()
    if not _NAME.fullmatch(name):
        raise InvalidArgument(
            f"secret {what} {text!r}: 1-63 letters, digits, '_' or '-' from a letter or digit (case does not matter)"
        )
    return name


def set_secret(
    session: Session, box: SecretBox, *, workspace: str, group: str, key: str, value: str, by: str
) -> SecretInfo:
    """Create or replace `group/key` in `workspace`."""
    group, key = check_name("group", group), check_name("key", key)
    if not value:
        raise InvalidArgument("a secret's value cannot be empty")
    if len(value.encode()) > MAX_VALUE_BYTES:
        raise InvalidArgument(f"a secret's value is at most {MAX_VALUE_BYTES} bytes")
    begin_writing(session)
    if session.get(WorkspaceRow, workspace) is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    sealed = box.seal(workspace, group, key, value)
    row = session.get(WorkspaceSecretRow, (workspace, group, key))
    if row is None:
        row = WorkspaceSecretRow(workspace_id=workspace, secret_group=group, secret_key=key)
        session.add(row)
    row.sealed, row.updated_by, row.updated_at = sealed, by, utcnow()
    session.flush()
    return _info(row)


def delete_secret(session: Session, *, workspace: str, group: str, key: str) -> SecretName:
    """Deletes it here; its name as stored (lower case), for the executor to forget its value."""
    group, key = check_name("group", group), check_name("key", key)
    begin_writing(session)
    row = session.get(WorkspaceSecretRow, (workspace, group, key))
    if row is None:
        raise NotFound(f"workspace {workspace!r} has no secret {group}/{key}")
    session.delete(row)
    return group, key


def list_secrets(session: Session, workspace: str) -> list[SecretInfo]:
    if session.get(WorkspaceRow, workspace) is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    rows = session.scalars(
        select(WorkspaceSecretRow)
        .where(WorkspaceSecretRow.workspace_id == workspace)
        .order_by(WorkspaceSecretRow.secret_group, WorkspaceSecretRow.secret_key)
    )
    return [_info(row) for row in rows]


def launch_secrets(session: Session, execution: ExecutionRow) -> frozenset[str]:
    """`group/key` of every secret the tasks of a new execution's workflow version ask for
    (sub-workflows' included; a dynamic task's children are known only when it runs)."""
    workflow = EntityId(ResourceKind.WORKFLOW, execution.project, execution.domain, execution.workflow,
                        execution.version)  # fmt: skip
    stored = get_entity(session, workflow)
    compiled = workflow_pb2.WorkflowClosure.FromString(stored.compiled).compiled_workflow
    return frozenset(_label(request) for task in compiled.tasks for request in _requests(task.template))


def require_secrets(session: Session, project: str, needed: Collection[str]) -> None:
    """InvalidArgument naming each secret in `needed` (`launch_secrets`) that the
    project's workspace lacks."""
    if not needed:
        return
    workspace = workspace_of(session, project)
    held = {f"{group}/{key}" for group, key in _names(session, workspace)} if workspace else set()
    missing = sorted(set(needed) - held)
    if missing:
        raise InvalidArgument(
            f"the workflow's tasks ask for secret(s) {', '.join(missing)}, which workspace {workspace!r} does not "
            f"have: an admin of the workspace sets them (PUT /api/workspaces/{workspace}/secrets/<group>/<key>)"
        )


def task_secrets(
    session: Session, box: SecretBox, project: str, template: tasks_pb2.TaskTemplate
) -> TaskSecrets | None:
    """The task's requested secrets with their values from the project's workspace; None if
    it asks for none. A secret removed since the launch is left out (the task then fails,
    saying which one flytekit could not find), as is one that cannot be decrypted."""
    requests = _requests(template)
    if not requests:
        return None
    workspace = workspace_of(session, project)
    if workspace is None:
        return None
    rows = {
        (row.secret_group, row.secret_key): row
        for row in session.scalars(select(WorkspaceSecretRow).where(WorkspaceSecretRow.workspace_id == workspace))
    }
    resolved: list[TaskSecret] = []
    for request in requests:
        row = rows.get((request.group.lower(), request.key.lower()))
        if row is None:
            continue
        try:
            value = box.unseal(workspace, row.secret_group, row.secret_key, row.sealed)
        except InternalError as error:
            log.error("%s", error.message)
            continue
        resolved.append(
            TaskSecret(
                group=row.secret_group,
                key=row.secret_key,
                mount=MountAs.FILE if request.mount_requirement == security_pb2.Secret.FILE else MountAs.ENV,
                value=SecretValue(value),
                group_version=request.group_version,
                env_var=request.env_var,
            )
        )
    return TaskSecrets(workspace, tuple(resolved))


def _requests(template: tasks_pb2.TaskTemplate) -> list[security_pb2.Secret]:
    return list(template.security_context.secrets)


def _label(request: security_pb2.Secret) -> str:
    """How a request is named in a refusal; one without a key can never be met."""
    return f"{request.group.lower()}/{request.key.lower()}"


def _names(session: Session, workspace: str) -> list[SecretName]:
    query = select(WorkspaceSecretRow.secret_group, WorkspaceSecretRow.secret_key).where(
        WorkspaceSecretRow.workspace_id == workspace
    )
    return [(group, key) for group, key in session.execute(query)]


def _info(row: WorkspaceSecretRow) -> SecretInfo:
    return SecretInfo(group=row.secret_group, key=row.secret_key, updated_by=row.updated_by,
                      updated_at=row.updated_at)  # fmt: skip
