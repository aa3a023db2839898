"""Launch pages: the generated form of a workflow, its submission, and the executions it
records. Validation happens in `launches.service`; a refused submission comes back as
the same form with every error beside its field and status 422."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any, BinaryIO

import anyio.to_thread
from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, StreamingResponse
from sqlalchemy.orm import Session

from latchlike.accounts.access import visible_projects
from latchlike.engine.loop import Engine
from latchlike.errors import NotFound
from latchlike.executions import views as execution_views
from latchlike.executions.items import attempt_phase
from latchlike.executions.readable import readable_key
from latchlike.executions.service import ExecutionKey, get_execution
from latchlike.files import written
from latchlike.files.catalog import StoreCatalog
from latchlike.launches.forms import LaunchForm, launch_form
from latchlike.launches.presets import Preset, presets_of
from latchlike.launches.service import form_launch
from latchlike.specs.about import about
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from latchlike.store.archive import folder_entries, tar_stream
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import DatabaseDep, PlatformDep
from latchlike.web.file_candidates import candidates_url
from latchlike.web.markdown import render_markdown
from latchlike.web.security import download_headers
from latchlike.web.templating import render
from ui_gen.form import Field
from ui_gen.names import field_path
from ui_gen.submission import flatten, relabel_defaults, relabel_files

router = APIRouter(include_in_schema=False)
_UNFINISHED = frozenset({"QUEUED", "RUNNING"})


@router.get("/workflows/{project}/{domain}/{name}/launch", response_class=HTMLResponse)
async def launch_page(
    request: Request,
    platform: PlatformDep,
    project: str,
    domain: str,
    name: str,
    version: str | None = None,
    relaunch: str | None = None,
    launch_plan: str | None = None,
) -> HTMLResponse:
    """`relaunch=<execution name>` prefills the form with that execution's inputs;
    `launch_plan=<name>` fills the form from that launch plan of the workflow (a preset) and
    launches with it instead of the default one."""
    key = NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name)

    def prefilled(session: Session) -> tuple[LaunchForm, list[Preset], dict[str, Any]]:
        form = launch_form(session, key, version, launch_plan)
        values = form.defaults()
        if relaunch:
            previous = ExecutionKey(project, domain, relaunch)
            inputs = written.as_chosen(session, platform.store, previous, get_execution(session, previous).inputs)
            values |= form.values_of(inputs)
        return form, presets_of(session, form.workflow), values

    form, presets, values = await platform.db.run(prefilled)
    return await _render(request, form, presets, flatten(form.form, values), {}, relaunch)


@router.post("/workflows/{project}/{domain}/{name}/launch", response_class=HTMLResponse, response_model=None)
async def submit_launch(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    project: str,
    domain: str,
    name: str,
    version: str | None = None,
    relaunch: str | None = None,
    launch_plan: str | None = None,
) -> HTMLResponse | RedirectResponse:
    submitted = await request.form()
    data = {key: [str(value) for value in submitted.getlist(key)] for key in submitted}
    workflow = NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name)
    catalog = StoreCatalog(platform.store, project)

    prepare = form_launch(
        workflow, version, launch_plan, data, catalog, relaunch, store=platform.store, launched_by=principal.name
    )
    launched = await platform.launches.launch(prepare)
    form, row = launched.form, launched.row
    if row is None:
        presets = await platform.db.run(lambda s: presets_of(s, form.workflow))
        return await _render(
            request, form, presets, data, launched.errors, relaunch, status.HTTP_422_UNPROCESSABLE_ENTITY
        )
    return RedirectResponse(f"/executions/{row.project}/{row.domain}/{row.name}", status.HTTP_303_SEE_OTHER)


@router.get("/executions", response_class=HTMLResponse)
async def execution_list(request: Request, db: DatabaseDep, principal: PrincipalDep) -> HTMLResponse:
    """The newest executions of the projects the caller may read."""
    found = await db.run(lambda s: execution_views.list_summaries(s, projects=visible_projects(s, principal)))
    return await render(request, "executions.html", {"executions": found})


@router.get("/executions/{project}/{domain}/{name}", response_class=HTMLResponse)
async def execution_page(request: Request, db: DatabaseDep, project: str, domain: str, name: str) -> HTMLResponse:
    key = ExecutionKey(project, domain, name)
    detail = await db.run(lambda s: execution_views.execution_detail(s, key))
    return await render(request, "execution.html", {"execution": detail})


@router.get("/executions/{project}/{domain}/{name}/nodes/{node_id}/{attempt}/log", response_class=PlainTextResponse)
async def node_log(
    request: Request, db: DatabaseDep, project: str, domain: str, name: str, node_id: str, attempt: int
) -> str:
    """What one attempt's process printed (so far); a log of blank lines counts as none."""
    engine: Engine = request.app.state.engine
    text = await anyio.to_thread.run_sync(engine.log, project, domain, name, node_id, attempt)
    if text.strip():
        return text
    phase = await db.run(lambda s: attempt_phase(s, ExecutionKey(project, domain, name), node_id, attempt))
    running = phase in _UNFINISHED
    return "(no output yet)" if running else "(the task wrote no log)"


@router.get("/executions/{project}/{domain}/{name}/files/{file_id}")
async def execution_file(
    platform: PlatformDep, project: str, domain: str, name: str, file_id: int
) -> StreamingResponse:
    """A file the execution was given or wrote: only those it recorded, never any other key,
    nor one outside the project's (recorded before launches were checked, or named by a task)."""
    key = ExecutionKey(project, domain, name)
    files = await platform.db.run(lambda s: execution_views.execution_files(s, key))
    recorded = next((f for f in files if f.id == file_id and f.key is not None), None)
    if recorded is None or recorded.key is None or not readable_key(project, recorded.key):
        raise NotFound(f"execution {project}/{domain}/{name} has no file {file_id} in the store")
    filename = PurePosixPath(recorded.key).name
    if await anyio.to_thread.run_sync(platform.store.exists, recorded.key):
        handle = await anyio.to_thread.run_sync(platform.store.open, recorded.key)
        return StreamingResponse(
            chunks(handle), media_type="application/octet-stream", headers=download_headers(filename)
        )
    entries = await anyio.to_thread.run_sync(folder_entries, platform.store, recorded.key)
    if not entries:
        raise NotFound(f"{recorded.name} was removed from the store ({recorded.uri})")
    archive = tar_stream(platform.store, filename, entries)
    return StreamingResponse(archive, media_type="application/x-tar", headers=download_headers(f"{filename}.tar"))


def chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


async def _render(
    request: Request,
    form: LaunchForm,
    presets: list[Preset],
    flat: dict[str, list[str]],
    errors: dict[str, str],
    relaunch: str | None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    def picker_url(item: Field) -> str:
        return candidates_url(form.workflow.project, kind=item.widget, blob_format=item.type.blob_format)

    # Managed files are shown by their path in the project, never by where the store keeps them.
    label = StoreCatalog(request.app.state.platform.store, form.workflow.project).label
    flat = relabel_files(form.form, flat, label)
    shown = replace(form, form=relabel_defaults(form.form, label))
    query = f"?version={form.workflow.version}" + (f"&relaunch={relaunch}" if relaunch else "")
    if form.launch_plan.name != form.workflow.name:
        query += f"&launch_plan={form.launch_plan.name}"
    context = {
        "launch": shown,
        "flat": flat,
        "errors": errors,
        "picker_url": picker_url,
        "action": request.url.path + query,
        "description_html": render_markdown(form.interface.description),
        "about": about(form.interface),
        "relaunch": relaunch,
        "presets": presets,
        "error_label": lambda key: field_path(form.form, key),
    }
    return await render(request, "launch.html", context, status_code)
