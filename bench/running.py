"""Registering a serialized package and running one of its workflows to the end, as the
benchmark scripts do (they cannot import the tests' helpers)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from serialization import Serialized

from latchlike.engine.loop import Engine
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import ExecutionRow
from latchlike.files.catalog import StoreCatalog
from latchlike.launches.forms import launch_form
from latchlike.launches.service import launch_from_json
from latchlike.platform import Platform
from latchlike.specs import service
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import NamedEntityKey, ResourceKind


def register(platform: Platform, serialized: Serialized, sources: Mapping[str, str] | None = None) -> None:
    with platform.db.session() as session:
        for spec in serialized.tasks:
            service.register_task(session, task_id=entity_id(spec.template.id, ResourceKind.TASK), spec=spec)
        for wf in serialized.workflows:
            workflow_id = entity_id(wf.template.id, ResourceKind.WORKFLOW)
            service.register_workflow(session, workflow_id=workflow_id, spec=wf, sources=sources)
        for plan in serialized.launch_plans:
            plan_id = entity_id(plan.id, ResourceKind.LAUNCH_PLAN)
            service.register_launch_plan(session, launch_plan_id=plan_id, spec=plan.spec)


def launch(platform: Platform, workflow: str, inputs: dict[str, Any]) -> ExecutionKey:
    key = NamedEntityKey(ResourceKind.WORKFLOW, "flytesnacks", "development", workflow)
    with platform.db.session() as session:
        launched = launch_from_json(session, launch_form(session, key), inputs, StoreCatalog(platform.store, "x"))
    if launched.execution is None:
        raise SystemExit(f"the benchmark could not launch {workflow}: {launched.errors}")
    return launched.execution


async def step_until_done(platform: Platform, engine: Engine, execution: ExecutionKey, pause: float) -> None:
    """Step the engine, `pause` seconds apart, until the execution has succeeded."""
    while True:
        await engine.step()
        with platform.db.session() as session:
            row = session.query(ExecutionRow).filter_by(name=execution.name).one()
            if row.phase == "FAILED":
                raise SystemExit(f"the benchmark's execution failed: {row.error}")
            if row.phase == "SUCCEEDED":
                return
        await asyncio.sleep(0 if engine.busy else pause)  # as `Engine.run_forever` steps
