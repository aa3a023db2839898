"""What the engine needs of a registered workflow version, read once per version: every
template it may walk (the primary and its sub-workflows) as steps, and every task template."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flyteidl.admin import workflow_pb2
from flyteidl.core import identifier_pb2, tasks_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from sqlalchemy.orm import Session

from latchlike.engine import dag
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.service import get_entity

PRIMARY = ""
"""The key of the primary template among `Plan.templates`."""


@dataclass(frozen=True)
class Scope:
    template: core_workflow_pb2.WorkflowTemplate
    steps: dict[str, dag.Step]


@dataclass(frozen=True)
class Plan:
    templates: dict[str, Scope]
    """The primary template under `PRIMARY`, each sub-workflow under `identifier_key`."""
    tasks: dict[str, tasks_pb2.TaskTemplate]
    """By `identifier_key` of the task."""

    def task(self, node: core_workflow_pb2.Node) -> tasks_pb2.TaskTemplate:
        """The template a task node (or the node an array node maps) runs."""
        task_node = node.array_node.node.task_node if node.HasField("array_node") else node.task_node
        return self.tasks[identifier_key(task_node.reference_id)]

    def sub_workflow(self, node: core_workflow_pb2.Node) -> Scope:
        return self.templates[identifier_key(node.workflow_node.sub_workflow_ref)]

    def add(
        self, tasks: Iterable[tasks_pb2.TaskTemplate], sub_workflows: Iterable[core_workflow_pb2.WorkflowTemplate]
    ) -> None:
        """What a dynamic task's workflow brings: an id always names the same template, so
        whichever execution adds it first, it is the same for all."""
        for task in tasks:
            self.tasks.setdefault(identifier_key(task.id), task)
        for sub in sub_workflows:
            self.templates.setdefault(identifier_key(sub.id), Scope(sub, dag.steps(sub)))


def load_plan(session: Session, project: str, domain: str, workflow: str, version: str) -> Plan:
    """Raises `NotFound` for an unknown version, `dag.UnsupportedWorkflow` for a node the
    engine cannot run (so the execution fails at once, not halfway)."""
    stored = get_entity(session, EntityId(ResourceKind.WORKFLOW, project, domain, workflow, version))
    compiled = workflow_pb2.WorkflowClosure.FromString(stored.compiled).compiled_workflow
    templates = {PRIMARY: Scope(compiled.primary.template, dag.steps(compiled.primary.template))}
    for sub in compiled.sub_workflows:
        templates[identifier_key(sub.template.id)] = Scope(sub.template, dag.steps(sub.template))
    tasks = {identifier_key(task.template.id): task.template for task in compiled.tasks}
    return Plan(templates, tasks)


def identifier_key(identifier: identifier_pb2.Identifier) -> str:
    return f"{identifier.project}/{identifier.domain}/{identifier.name}/{identifier.version}"
