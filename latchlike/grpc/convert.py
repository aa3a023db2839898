"""Between flyteidl messages and latchlike's plain values; used only by the gRPC layer."""

from __future__ import annotations

from datetime import datetime

from flyteidl.admin import (
    common_pb2,
    launch_plan_pb2,
    project_pb2,
    task_pb2,
    workflow_pb2,
)
from flyteidl.core import identifier_pb2
from google.protobuf.timestamp_pb2 import Timestamp

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
    request: common_pb2.ResourceListRequest | common_pb2.NamedEntityListRequest,
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
