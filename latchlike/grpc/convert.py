"""Between flyteidl messages and latchlike's plain values; used only by the gRPC layer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    project_pb2,
    task_pb2,
    workflow_pb2,
)
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from latchlike.executions.service import Execution, ExecutionKey
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.specs.listing import ListQuery, parse_query
from latchlike.specs.projects import DOMAINS, Project
from latchlike.specs.service import NamedEntity, StoredEntity


def identifier(entity: EntityId) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=int(entity.kind),
        project=entity.project,
        domain=entity.domain,
        name=entity.name,
        version=entity.version,
    )


def named_key(named: common_pb2.NamedEntityIdentifier, kind: ResourceKind) -> NamedEntityKey:
    return NamedEntityKey(kind, named.project, named.domain, named.name)


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def list_query(
    request: common_pb2.ResourceListRequest
    | common_pb2.NamedEntityListRequest
    | common_pb2.NamedEntityIdentifierListRequest,
) -> ListQuery:
    return parse_query(
        filters=request.filters,
        sort_key=request.sort_by.key,
        descending=request.sort_by.direction == common_pb2.Sort.DESCENDING,
        limit=request.limit,
        token=request.token,
    )


def task(entity: StoredEntity) -> task_pb2.Task:
    closure = task_pb2.TaskClosure.FromString(entity.compiled)
    closure.created_at.CopyFrom(timestamp(entity.created_at))
    return task_pb2.Task(
        id=identifier(entity.id),
        closure=closure,
        short_description=entity.short_description,
    )


def workflow(entity: StoredEntity) -> workflow_pb2.Workflow:
    closure = workflow_pb2.WorkflowClosure.FromString(entity.compiled)
    closure.created_at.CopyFrom(timestamp(entity.created_at))
    return workflow_pb2.Workflow(
        id=identifier(entity.id),
        closure=closure,
        short_description=entity.short_description,
    )


def launch_plan(entity: StoredEntity) -> launch_plan_pb2.LaunchPlan:
    closure = launch_plan_pb2.LaunchPlanClosure.FromString(entity.compiled)
    closure.state = entity.state or launch_plan_pb2.LaunchPlanState.INACTIVE
    closure.created_at.CopyFrom(timestamp(entity.created_at))
    closure.updated_at.CopyFrom(timestamp(entity.updated_at))
    return launch_plan_pb2.LaunchPlan(
        id=identifier(entity.id),
        spec=launch_plan_pb2.LaunchPlanSpec.FromString(entity.spec),
        closure=closure,
    )


def named_entity(named: NamedEntity) -> common_pb2.NamedEntity:
    return common_pb2.NamedEntity(
        resource_type=int(named.key.kind),
        id=common_pb2.NamedEntityIdentifier(project=named.key.project, domain=named.key.domain, name=named.key.name),
        metadata=common_pb2.NamedEntityMetadata(
            description=named.short_description,
            state=common_pb2.NamedEntityState.NAMED_ENTITY_ACTIVE,
        ),
    )


def domains() -> list[project_pb2.Domain]:
    return [project_pb2.Domain(id=domain, name=domain) for domain in DOMAINS]


def project(value: Project) -> project_pb2.Project:
    return project_pb2.Project(
        id=value.id,
        name=value.name,
        description=value.description,
        domains=domains(),
        state=project_pb2.Project.ProjectState.ACTIVE,
    )


_PHASES = {
    "QUEUED": core_execution_pb2.WorkflowExecution.QUEUED,
    "RUNNING": core_execution_pb2.WorkflowExecution.RUNNING,
    "SUCCEEDED": core_execution_pb2.WorkflowExecution.SUCCEEDED,
    "FAILED": core_execution_pb2.WorkflowExecution.FAILED,
    "ABORTING": core_execution_pb2.WorkflowExecution.ABORTING,
    "ABORTED": core_execution_pb2.WorkflowExecution.ABORTED,
}


def execution_key(identifier: identifier_pb2.WorkflowExecutionIdentifier) -> ExecutionKey:
    return ExecutionKey(identifier.project, identifier.domain, identifier.name)


def execution_identifier(key: ExecutionKey) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(project=key.project, domain=key.domain, name=key.name)


def execution(value: Execution) -> execution_pb2.Execution:
    key = value.key
    workflow_id = EntityId(ResourceKind.WORKFLOW, key.project, key.domain, value.workflow, value.launch_plan.version)
    closure = execution_pb2.ExecutionClosure(
        phase=_PHASES.get(value.phase, core_execution_pb2.WorkflowExecution.UNDEFINED),
        created_at=timestamp(value.created_at),
        updated_at=timestamp(value.finished_at or value.started_at or value.created_at),
        workflow_id=identifier(workflow_id),
    )
    if value.started_at:
        closure.started_at.CopyFrom(timestamp(value.started_at))
    if value.started_at and value.finished_at:
        closure.duration.CopyFrom(_duration(value.finished_at - value.started_at))
    if value.phase == "FAILED" and value.error:
        closure.error.CopyFrom(
            core_execution_pb2.ExecutionError(
                code="USER", message=value.error, kind=core_execution_pb2.ExecutionError.USER
            )
        )
    if value.phase in ("ABORTING", "ABORTED") and value.error:
        closure.abort_metadata.cause = value.error
    spec = execution_pb2.ExecutionSpec(
        launch_plan=identifier(value.launch_plan),
        metadata=execution_pb2.ExecutionMetadata(principal=value.launched_by),
        overwrite_cache=value.options.overwrite_cache,
        max_parallelism=value.options.max_parallelism,
        labels=common_pb2.Labels(values=value.options.labels),
        annotations=common_pb2.Annotations(values=value.options.annotations),
        envs=common_pb2.Envs(values=[literals_pb2.KeyValuePair(key=k, value=v) for k, v in value.options.envs.items()]),
    )
    if value.recovered_from:
        spec.metadata.mode = execution_pb2.ExecutionMetadata.RECOVERED
        spec.metadata.reference_execution.CopyFrom(execution_identifier(replace(key, name=value.recovered_from)))
    if value.parent is not None:
        spec.metadata.mode = execution_pb2.ExecutionMetadata.CHILD_WORKFLOW
        spec.metadata.parent_node_execution.CopyFrom(
            identifier_pb2.NodeExecutionIdentifier(
                node_id=value.parent.node_id,
                execution_id=execution_identifier(replace(key, name=value.parent.execution)),
            )
        )
    return execution_pb2.Execution(id=execution_identifier(value.key), spec=spec, closure=closure)


def _duration(delta: timedelta) -> Duration:
    duration = Duration()
    duration.FromTimedelta(delta)
    return duration
