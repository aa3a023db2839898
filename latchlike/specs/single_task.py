"""Running one task on its own, as `pyflyte run --remote` of a @task asks: Flyte wraps the
task in a one-node workflow and a launch plan, both named `.flytegen.<task>` with the task's
version, created on first use (flyteadmin/pkg/manager/impl/util/single_task_execution.go)."""

from __future__ import annotations

from contextlib import suppress

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, literals_pb2, tasks_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from sqlalchemy.orm import Session

from latchlike.errors import AlreadyExists, InvalidArgument, NotFound
from latchlike.specs import service
from latchlike.specs.ids import EntityId, ResourceKind

_INPUT_NODE = "start-node"  # where a workflow's own inputs come from, as flytekit names it
_MAX_NODE_ID = 63


def ensure_task_launch_plan(session: Session, task_id: EntityId) -> EntityId:
    """The generated launch plan that runs `task_id` alone, registering it (and its
    workflow) the first time; the task must be registered with an explicit version."""
    if not task_id.version:
        raise InvalidArgument(f"running {task_id} on its own needs the task's version")
    task = task_pb2.TaskClosure.FromString(service.get_entity(session, task_id).compiled).compiled_task.template
    name = service.GENERATED_PREFIX + task_id.name
    plan_id = EntityId(ResourceKind.LAUNCH_PLAN, task_id.project, task_id.domain, name, task_id.version)
    with suppress(NotFound):
        service.get_entity(session, plan_id)
        return plan_id
    workflow_id = EntityId(ResourceKind.WORKFLOW, task_id.project, task_id.domain, name, task_id.version)
    plan = launch_plan_pb2.LaunchPlanSpec(workflow_id=_identifier(workflow_id))
    with suppress(AlreadyExists):  # a concurrent first run registered the same specs
        service.register_workflow(session, workflow_id=workflow_id, spec=_workflow(workflow_id, task))
    with suppress(AlreadyExists):
        service.register_launch_plan(session, launch_plan_id=plan_id, spec=plan)
    return plan_id


def _workflow(workflow_id: EntityId, task: tasks_pb2.TaskTemplate) -> workflow_pb2.WorkflowSpec:
    node_id = _node_id(task.id.name)
    inputs = [_binding(var, _INPUT_NODE) for var in sorted(task.interface.inputs.variables)]
    outputs = [_binding(var, node_id) for var in sorted(task.interface.outputs.variables)]
    node = core_workflow_pb2.Node(
        id=node_id,
        metadata=core_workflow_pb2.NodeMetadata(name=node_id, retries=task.metadata.retries),
        inputs=inputs,
        task_node=core_workflow_pb2.TaskNode(reference_id=task.id),
    )
    template = core_workflow_pb2.WorkflowTemplate(
        id=_identifier(workflow_id), interface=task.interface, nodes=[node], outputs=outputs
    )
    return workflow_pb2.WorkflowSpec(template=template)


def _node_id(task_name: str) -> str:
    """FlyteAdmin's rule: the name's last 63 characters, letters, digits and '-' only."""
    return "".join(char for char in task_name[-_MAX_NODE_ID:] if char == "-" or char.isalnum())


def _binding(var: str, node_id: str) -> literals_pb2.Binding:
    promise = types_pb2.OutputReference(node_id=node_id, var=var)
    return literals_pb2.Binding(var=var, binding=literals_pb2.BindingData(promise=promise))


def _identifier(entity: EntityId) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=int(entity.kind),
        project=entity.project,
        domain=entity.domain,
        name=entity.name,
        version=entity.version,
    )
