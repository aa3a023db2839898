"""JSON API for launching: the form spec as a JSON Schema, launching with JSON inputs,
and reading executions. The same validation as the pages; refused inputs answer 422
with every field's error and record nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from latchlike.accounts.access import visible_projects
from latchlike.executions import views as execution_views
from latchlike.executions.service import ExecutionKey, execution_of
from latchlike.files.catalog import StoreCatalog
from latchlike.launches.forms import launch_form
from latchlike.launches.service import json_launch
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import DatabaseDep, PlatformDep
from latchlike.web.errors import error_responses

router = APIRouter(prefix="/api", tags=["launch"], responses=error_responses(400, 404))


class LaunchRequest(BaseModel):
    inputs: dict[str, Any]
    launch_plan: str | None = None
    """Another launch plan of the workflow (a preset): its defaults fill what `inputs` leaves out,
    its fixed inputs cannot be given."""


@router.get("/workflows/{project}/{domain}/{name}/form")
async def form_schema(
    db: DatabaseDep,
    project: str,
    domain: str,
    name: str,
    version: str | None = None,
    launch_plan: str | None = None,
) -> Any:
    """The inputs of one workflow version as a JSON Schema (`x-widget`, `x-sections` for layout),
    with the defaults of `launch_plan` if given."""
    key = NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name)
    form = await db.run(lambda s: launch_form(s, key, version, launch_plan))
    return {**form.validator.json_schema(), "x-version": form.workflow.version}


@router.post(
    "/workflows/{project}/{domain}/{name}/executions",
    status_code=status.HTTP_201_CREATED,
    response_model=execution_views.ExecutionDetail,
    responses={422: {"description": "Some inputs are invalid: `errors` maps each field to its message."}},
)
async def launch(
    platform: PlatformDep,
    principal: PrincipalDep,
    project: str,
    domain: str,
    name: str,
    request: LaunchRequest,
    version: str | None = None,
) -> Any:
    key = NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name)
    catalog = StoreCatalog(platform.store, project)
    # Through the launch queue: a burst of launches is recorded in a few transactions, not one each.
    prepare = json_launch(
        key, version, request.launch_plan, request.inputs, catalog, store=platform.store, launched_by=principal.name
    )
    launched = await platform.launches.launch(prepare)
    if launched.row is None:
        return JSONResponse({"errors": launched.errors}, status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
    detail = execution_views.queued_detail(execution_of(launched.row), launched.form.parts)
    # Serialised by pydantic at once: FastAPI's generic encoder costs more than the launch.
    return Response(detail.model_dump_json(), status.HTTP_201_CREATED, media_type="application/json")


@router.get("/executions")
async def list_executions(db: DatabaseDep, principal: PrincipalDep) -> list[execution_views.ExecutionSummary]:
    """The newest executions of the projects the caller may read."""
    return await db.run(lambda s: execution_views.list_summaries(s, projects=visible_projects(s, principal)))


@router.get("/executions/{project}/{domain}/{name}")
async def get_execution(db: DatabaseDep, project: str, domain: str, name: str) -> execution_views.ExecutionDetail:
    key = ExecutionKey(project, domain, name)
    return await db.run(lambda s: execution_views.execution_detail(s, key))
