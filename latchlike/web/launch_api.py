"""JSON API for launching: the form spec as a JSON Schema, launching with JSON inputs,
and reading executions. The same validation as the pages; refused inputs answer 422
with every field's error and record nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from latchlike.executions import views as execution_views
from latchlike.executions.service import ExecutionKey
from latchlike.files.catalog import StoreCatalog
from latchlike.launches.forms import launch_form
from latchlike.launches.service import launch_from_json
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from latchlike.web.deps import PlatformDep, SessionDep

router = APIRouter(prefix="/api", tags=["launch"])


class LaunchRequest(BaseModel):
    inputs: dict[str, Any]
    launch_plan: str | None = None
    """Another launch plan of the workflow (a preset): its defaults fill what `inputs` leaves out,
    its fixed inputs cannot be given."""


@router.get("/workflows/{project}/{domain}/{name}/form")
def form_schema(
    session: SessionDep,
    project: str,
    domain: str,
    name: str,
    version: str | None = None,
    launch_plan: str | None = None,
) -> Any:
    """The inputs of one workflow version as a JSON Schema (`x-widget`, `x-sections` for layout),
    with the defaults of `launch_plan` if given."""
    key = NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name)
    form = launch_form(session, key, version, launch_plan)
    return {**form.validator.json_schema(), "x-version": form.workflow.version}


@router.post(
    "/workflows/{project}/{domain}/{name}/executions",
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "Some inputs are invalid: `errors` maps each field to its message."}},
)
def launch(
    platform: PlatformDep,
    session: SessionDep,
    project: str,
    domain: str,
    name: str,
    request: LaunchRequest,
    version: str | None = None,
) -> Any:
    key = NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name)
    form = launch_form(session, key, version, request.launch_plan)
    result = launch_from_json(session, form, request.inputs, StoreCatalog(platform.store, project))
    if result.execution is None:
        return JSONResponse({"errors": result.errors}, status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
    session.flush()
    return execution_views.execution_detail(session, result.execution)


@router.get("/executions")
def list_executions(session: SessionDep) -> list[execution_views.ExecutionSummary]:
    return execution_views.list_summaries(session)


@router.get("/executions/{project}/{domain}/{name}")
def get_execution(session: SessionDep, project: str, domain: str, name: str) -> execution_views.ExecutionDetail:
    return execution_views.execution_detail(session, ExecutionKey(project, domain, name))
