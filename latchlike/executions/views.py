"""What pages and the JSON API show of executions: plain models with the inputs already
turned into short readable previews."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from latchlike.executions.service import Execution, ExecutionKey, get_execution, list_executions
from ui_gen.adapters.literals import literal_preview


class ExecutionSummary(BaseModel):
    project: str
    domain: str
    name: str
    workflow: str
    version: str
    phase: str
    source: str
    created_at: datetime


class InputValue(BaseModel):
    name: str
    preview: str


class ExecutionDetail(ExecutionSummary):
    launched_by: str
    relaunch_of: str | None
    inputs: list[InputValue]


def list_summaries(session: Session) -> list[ExecutionSummary]:
    return [_summary(execution) for execution in list_executions(session)]


def execution_detail(session: Session, key: ExecutionKey) -> ExecutionDetail:
    execution = get_execution(session, key)
    return ExecutionDetail(
        **_summary(execution).model_dump(),
        launched_by=execution.launched_by,
        relaunch_of=execution.relaunch_of,
        inputs=[
            InputValue(name=name, preview=literal_preview(execution.inputs.literals[name]))
            for name in sorted(execution.inputs.literals)
        ],
    )


def _summary(execution: Execution) -> ExecutionSummary:
    return ExecutionSummary(
        project=execution.key.project,
        domain=execution.key.domain,
        name=execution.key.name,
        workflow=execution.workflow,
        version=execution.launch_plan.version,
        phase=execution.phase,
        source=execution.source,
        created_at=execution.created_at,
    )
