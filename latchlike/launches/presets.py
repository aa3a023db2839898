"""Presets: a workflow's named launch plans, offered on its launch page to fill the form
with their default inputs (Latch's "Test Data"). Choosing one launches with that plan, so
its fixed inputs stay fixed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from latchlike.specs.ids import EntityId
from latchlike.specs.service import launch_plans_of


@dataclass(frozen=True)
class Preset:
    launch_plan: str
    label: str
    """What people read: the plan's name without the workflow's (`guideseq_wf.Basic` → `Basic`)."""


def presets_of(session: Session, workflow: EntityId) -> list[Preset]:
    """Every launch plan of this workflow version except its default one (named after it)."""
    return [
        Preset(launch_plan=plan.id.name, label=preset_label(plan.id.name, workflow.name))
        for plan in launch_plans_of(session, workflow)
        if plan.id.name != workflow.name
    ]


def preset_label(launch_plan: str, workflow: str) -> str:
    if launch_plan.startswith(workflow + "."):
        return launch_plan.removeprefix(workflow + ".")
    return launch_plan.rsplit(".", 1)[-1] or launch_plan
