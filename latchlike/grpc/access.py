"""Who may call each gRPC method: one table, every method of every service the server registers.

`guard.AccessInterceptor` looks each call's method up here and enforces its rule before the
servicer runs, so a servicer cannot forget to check; a method missing from the table is
refused, and the access-matrix test fails on it. A project rule also says where in the
request the project is (several places for a launch, whose launch plan may name another
project than the request); an empty project is refused, as FlyteAdmin does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from latchlike.accounts.roles import Role
from latchlike.downloads.data import parse_flyte_url
from latchlike.errors import InvalidArgument
from latchlike.executions.readable import PROJECT_ROOTS
from latchlike.store import FileStore

__all__ = ["ACCESS", "Kind", "Rule", "rule_for"]

Locate = Callable[[Any, FileStore], tuple[str, ...]]
"""The projects a request acts on (the store resolves URIs to keys)."""


class Kind(StrEnum):
    PUBLIC = "public"  # anyone: what a client needs to learn how to authenticate
    SIGNED_IN = "signed-in"  # any principal; lists answer only what `visible_projects` allows
    PROJECT = "project"  # `role` in the workspace of every project `locate` finds
    NEW_PROJECT = "new-project"  # member of the workspace the project is created in (`home_workspace`)


@dataclass(frozen=True)
class Rule:
    kind: Kind
    role: Role | None = None
    locate: Locate | None = None


PUBLIC = Rule(Kind.PUBLIC)
SIGNED_IN = Rule(Kind.SIGNED_IN)
UNSUPPORTED = SIGNED_IN
"""Methods latchlike does not implement: UNIMPLEMENTED, but only to a signed-in caller, so
that flytekit without credentials still learns it must authenticate."""
NEW_PROJECT = Rule(Kind.NEW_PROJECT)


def read(locate: Locate) -> Rule:
    return Rule(Kind.PROJECT, Role.VIEWER, locate)


def write(locate: Locate) -> Rule:
    return Rule(Kind.PROJECT, Role.MEMBER, locate)


# Where the project is, by request shape.
def _id(request: Any, _: FileStore) -> tuple[str, ...]:
    return (request.id.project,)


def _top(request: Any, _: FileStore) -> tuple[str, ...]:
    return (request.project,)


def _execution_id(request: Any, _: FileStore) -> tuple[str, ...]:
    return (request.id.execution_id.project,)


def _workflow_execution_id(request: Any, _: FileStore) -> tuple[str, ...]:
    return (request.workflow_execution_id.project,)


def _node_of_task_execution(request: Any, _: FileStore) -> tuple[str, ...]:
    return (request.id.node_execution_id.execution_id.project,)


def _task_execution_list(request: Any, _: FileStore) -> tuple[str, ...]:
    return (request.node_execution_id.execution_id.project,)


def _launch(request: Any, _: FileStore) -> tuple[str, ...]:
    """The request's project and its launch plan's, which is where the execution runs."""
    return tuple(dict.fromkeys(p for p in (request.project, request.spec.launch_plan.project) if p)) or ("",)


def _download_link(request: Any, _: FileStore) -> tuple[str, ...]:
    return (request.node_execution_id.execution_id.project,)


def _flyte_url(request: Any, _: FileStore) -> tuple[str, ...]:
    return (parse_flyte_url(request.flyte_url).execution.project,)


def _store_uri(request: Any, store: FileStore) -> tuple[str, ...]:
    """The project owning a store URI: `<root>/<project>/…` for the roots projects own."""
    key = store.key_of(request.native_url.rstrip("/"))
    root, owner, rest = [*(key or "").split("/", 2), "", ""][:3]
    if root not in PROJECT_ROOTS or not owner or not rest:
        raise InvalidArgument(f"{request.native_url!r} is not a file or folder of a project in this server's store")
    return (owner,)


_ADMIN = "/flyteidl.service.AdminService/"
_DATA = "/flyteidl.service.DataProxyService/"
_SIGNAL = "/flyteidl.service.SignalService/"
_AUTH = "/flyteidl.service.AuthMetadataService/"

ACCESS: dict[str, Rule] = {
    # How to authenticate: asked before any credential exists.
    _AUTH + "GetOAuth2Metadata": PUBLIC,
    _AUTH + "GetPublicClientConfig": PUBLIC,
    # Projects and domains.
    _ADMIN + "RegisterProject": NEW_PROJECT,
    _ADMIN + "ListProjects": SIGNED_IN,
    _ADMIN + "GetProject": read(lambda r, _: (r.id,)),
    _ADMIN + "GetDomains": SIGNED_IN,
    _ADMIN + "UpdateProject": UNSUPPORTED,
    # Registration: tasks, workflows, launch plans.
    _ADMIN + "CreateTask": write(_id),
    _ADMIN + "GetTask": read(_id),
    _ADMIN + "ListTaskIds": read(_top),
    _ADMIN + "ListTasks": read(_id),
    _ADMIN + "CreateWorkflow": write(_id),
    _ADMIN + "GetWorkflow": read(_id),
    _ADMIN + "ListWorkflowIds": read(_top),
    _ADMIN + "ListWorkflows": read(_id),
    _ADMIN + "CreateLaunchPlan": write(_id),
    _ADMIN + "GetLaunchPlan": read(_id),
    _ADMIN + "GetActiveLaunchPlan": read(_id),
    _ADMIN + "ListActiveLaunchPlans": read(_top),
    _ADMIN + "ListLaunchPlanIds": read(_top),
    _ADMIN + "ListLaunchPlans": read(_id),
    _ADMIN + "UpdateLaunchPlan": write(_id),
    _ADMIN + "ListNamedEntities": read(_top),
    _ADMIN + "GetNamedEntity": UNSUPPORTED,
    _ADMIN + "UpdateNamedEntity": UNSUPPORTED,
    _ADMIN + "GetDescriptionEntity": UNSUPPORTED,
    _ADMIN + "ListDescriptionEntities": UNSUPPORTED,
    # Executions.
    _ADMIN + "CreateExecution": write(_launch),
    _ADMIN + "RelaunchExecution": write(_id),
    _ADMIN + "RecoverExecution": write(_id),
    _ADMIN + "TerminateExecution": write(_id),
    _ADMIN + "GetExecution": read(_id),
    _ADMIN + "GetExecutionData": read(_id),
    _ADMIN + "ListExecutions": read(_id),
    _ADMIN + "UpdateExecution": UNSUPPORTED,
    _ADMIN + "GetExecutionMetrics": UNSUPPORTED,
    # Node and task executions.
    _ADMIN + "ListNodeExecutions": read(_workflow_execution_id),
    _ADMIN + "GetNodeExecution": read(_execution_id),
    _ADMIN + "GetNodeExecutionData": read(_execution_id),
    _ADMIN + "ListTaskExecutions": read(_task_execution_list),
    _ADMIN + "GetTaskExecution": read(_node_of_task_execution),
    _ADMIN + "GetTaskExecutionData": read(_node_of_task_execution),
    _ADMIN + "GetDynamicNodeWorkflow": UNSUPPORTED,
    _ADMIN + "ListNodeExecutionsForTask": UNSUPPORTED,
    # Events come from propeller, which latchlike's engine replaces.
    _ADMIN + "CreateWorkflowEvent": UNSUPPORTED,
    _ADMIN + "CreateNodeEvent": UNSUPPORTED,
    _ADMIN + "CreateTaskEvent": UNSUPPORTED,
    # Matchable attributes and the version: not implemented.
    _ADMIN + "UpdateProjectDomainAttributes": UNSUPPORTED,
    _ADMIN + "GetProjectDomainAttributes": UNSUPPORTED,
    _ADMIN + "DeleteProjectDomainAttributes": UNSUPPORTED,
    _ADMIN + "UpdateProjectAttributes": UNSUPPORTED,
    _ADMIN + "GetProjectAttributes": UNSUPPORTED,
    _ADMIN + "DeleteProjectAttributes": UNSUPPORTED,
    _ADMIN + "UpdateWorkflowAttributes": UNSUPPORTED,
    _ADMIN + "GetWorkflowAttributes": UNSUPPORTED,
    _ADMIN + "DeleteWorkflowAttributes": UNSUPPORTED,
    _ADMIN + "ListMatchableAttributes": UNSUPPORTED,
    _ADMIN + "GetVersion": UNSUPPORTED,
    # Data: uploads of code and local inputs, links to outputs and decks.
    _DATA + "CreateUploadLocation": write(_top),
    _DATA + "CreateDownloadLocation": read(_store_uri),
    _DATA + "CreateDownloadLink": read(_download_link),
    _DATA + "GetData": read(_flyte_url),
    # Signals of gate nodes: read by viewers, given by members.
    _SIGNAL + "GetOrCreateSignal": write(_execution_id),
    _SIGNAL + "ListSignals": read(_workflow_execution_id),
    _SIGNAL + "SetSignal": write(_execution_id),
}


def rule_for(method: str) -> Rule | None:
    """The rule of a method (its full name, `/package.Service/Method`), or None if it has none."""
    return ACCESS.get(method)
