"""Launch pages: the generated form of a workflow, its submission, and the executions it
records. Validation happens in `launches.service`; a refused submission comes back as
the same form with every error beside its field and status 422."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, StreamingResponse

from latchlike.engine.loop import Engine
from latchlike.errors import NotFound
from latchlike.executions import views as execution_views
from latchlike.executions.items import attempt_phase
from latchlike.executions.service import ExecutionKey, get_execution
from latchlike.files.catalog import StoreCatalog
from latchlike.launches.forms import LaunchForm, launch_form
from latchlike.launches.presets import Preset, presets_of
from latchlike.launches.service import launch_from_form
from latchlike.specs.about import about
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from latchlike.store.archive import folder_entries, tar_stream
from latchlike.web.deps import PlatformDep, SessionDep
from latchlike.web.file_candidates import candidates_url
from latchlike.web.markdown import render_markdown
from latchlike.web.templating import templates
from ui_gen.form import Field
from ui_gen.names import field_path
from ui_gen.submission import flatten

router = APIRouter(include_in_schema=False)
_UNFINISHED = frozenset({"QUEUED", "RUNNING"})


@router.get("/workflows/{project}/{domain}/{name}/launch", response_class=HTMLResponse)
def launch_page(
    request: Request,
    session: SessionDep,
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
    form = launch_form(session, NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name), version, launch_plan)
    values = form.defaults()
    if relaunch:
        values |= form.values_of(get_execution(session, ExecutionKey(project, domain, relaunch)).inputs)
    return _render(request, form, presets_of(session, form.workflow), flatten(form.form, values), {}, relaunch)


@router.post("/workflows/{project}/{domain}/{name}/launch", response_class=HTMLResponse, response_model=None)
async def submit_launch(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    project: str,
    domain: str,
    name: str,
    version: str | None = None,
    relaunch: str | None = None,
    launch_plan: str | None = None,
) -> HTMLResponse | RedirectResponse:
    submitted = await request.form()
    data = {key: [str(value) for value in submitted.getlist(key)] for key in submitted}
    form = launch_form(session, NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name), version, launch_plan)
    catalog = StoreCatalog(platform.store, project)
    result = launch_from_form(session, form, data, catalog, relaunch_of=relaunch)
    if result.execution is None:
        presets = presets_of(session, form.workflow)
        return _render(request, form, presets, data, result.errors, relaunch, status.HTTP_422_UNPROCESSABLE_ENTITY)
    key = result.execution
    return RedirectResponse(f"/executions/{key.project}/{key.domain}/{key.name}", status.HTTP_303_SEE_OTHER)


@router.get("/executions", response_class=HTMLResponse)
def execution_list(request: Request, session: SessionDep) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "executions.html", {"executions": execution_views.list_summaries(session)}
    )


@router.get("/executions/{project}/{domain}/{name}", response_class=HTMLResponse)
def execution_page(request: Request, session: SessionDep, project: str, domain: str, name: str) -> HTMLResponse:
    detail = execution_views.execution_detail(session, ExecutionKey(project, domain, name))
    return templates.TemplateResponse(request, "execution.html", {"execution": detail})


@router.get("/executions/{project}/{domain}/{name}/nodes/{node_id}/{attempt}/log", response_class=PlainTextResponse)
def node_log(
    request: Request, session: SessionDep, project: str, domain: str, name: str, node_id: str, attempt: int
) -> str:
    """What one attempt's process printed (so far); a log of blank lines counts as none."""
    engine: Engine = request.app.state.engine
    text = engine.log(project, domain, name, node_id, attempt)
    if text.strip():
        return text
    running = attempt_phase(session, ExecutionKey(project, domain, name), node_id, attempt) in _UNFINISHED
    return "(no output yet)" if running else "(the task wrote no log)"


@router.get("/executions/{project}/{domain}/{name}/files/{file_id}")
def execution_file(
    platform: PlatformDep, session: SessionDep, project: str, domain: str, name: str, file_id: int
) -> StreamingResponse:
    """A file the execution was given or wrote: only those it recorded, never any other key."""
    recorded = next((f for f in execution_views.execution_files(session, ExecutionKey(project, domain, name))
                     if f.id == file_id and f.key is not None), None)  # fmt: skip
    if recorded is None or recorded.key is None:
        raise NotFound(f"execution {project}/{domain}/{name} has no file {file_id} in the store")
    filename = PurePosixPath(recorded.key).name
    if platform.store.exists(recorded.key):
        handle = platform.store.open(recorded.key)
        return StreamingResponse(chunks(handle), media_type="application/octet-stream", headers=attachment(filename))
    entries = folder_entries(platform.store, recorded.key)
    if not entries:
        raise NotFound(f"{recorded.name} was removed from the store ({recorded.uri})")
    archive = tar_stream(platform.store, filename, entries)
    return StreamingResponse(archive, media_type="application/x-tar", headers=attachment(f"{filename}.tar"))


def attachment(filename: str) -> dict[str, str]:
    """Any file name, spaces and non-ASCII included (RFC 6266), with a plain fallback."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"}


def chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


def _render(
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

    query = f"?version={form.workflow.version}" + (f"&relaunch={relaunch}" if relaunch else "")
    if form.launch_plan.name != form.workflow.name:
        query += f"&launch_plan={form.launch_plan.name}"
    return templates.TemplateResponse(
        request,
        "launch.html",
        {
            "launch": form,
            "flat": flat,
            "errors": errors,
            "picker_url": picker_url,
            "action": request.url.path + query,
            "description_html": render_markdown(form.interface.description),
            "about": about(form.interface),
            "relaunch": relaunch,
            "presets": presets,
            "error_label": lambda key: field_path(form.form, key),
        },
        status_code=status_code,
    )
