"""Registering serialized fixture packages through the registry's own service functions."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from latchlike.platform import Platform
from latchlike.specs import service
from latchlike.specs.compiler import entity_id, referenced_launch_plans
from latchlike.specs.ids import ResourceKind
from latchlike.specs.sources import package_sources
from tests.samples import SerializedSample


def register_serialized(platform: Platform, sample: SerializedSample, package_dir: Path | None, package: str) -> None:
    """Tasks, workflows and launch plans; `package_dir=None` registers without sources, as
    `pyflyte register --copy none` does."""
    sources = package_sources(package_dir, package) if package_dir else None
    with platform.db.session() as session:
        register_into(session, sample, sources)


def register_into(session: Session, sample: SerializedSample, sources: dict[str, str] | None) -> None:
    """`sample` registered in `session`'s unit of work, in the order pyflyte sends it."""
    for task in sample.tasks:
        service.register_task(session, task_id=entity_id(task.template.id, ResourceKind.TASK), spec=task)
    # As pyflyte orders them: a workflow that calls a launch plan comes after that plan.
    calling = {w.template.id.name for w in sample.workflows if referenced_launch_plans(w)}
    for last in (False, True):
        for workflow in sample.workflows:
            if (workflow.template.id.name in calling) == last:
                service.register_workflow(
                    session,
                    workflow_id=entity_id(workflow.template.id, ResourceKind.WORKFLOW),
                    spec=workflow,
                    sources=sources,
                )
        for plan in sample.launch_plans:
            if (plan.spec.workflow_id.name in calling) == last:
                plan_id = entity_id(plan.id, ResourceKind.LAUNCH_PLAN)
                service.register_launch_plan(session, launch_plan_id=plan_id, spec=plan.spec)
