"""What the execution page loads beyond itself: a map task's items one page at a time, and
a directory output's files one by one."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from latchlike.errors import NotFound
from latchlike.executions import views as execution_views
from latchlike.executions.items import MAX_LIMIT, ItemPage, item_page
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import ExecutionFileRow
from latchlike.store.archive import folder_entries
from latchlike.web.deps import PlatformDep, SessionDep
from latchlike.web.launches import attachment, chunks
from latchlike.web.templating import templates

router = APIRouter()
EXECUTION = "/executions/{project}/{domain}/{name}"


@router.get("/api" + EXECUTION + "/nodes/{node_id}/items", tags=["executions"])
def map_items(
    session: SessionDep,
    project: str,
    domain: str,
    name: str,
    node_id: str,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    phase: str | None = None,
) -> ItemPage:
    """A map task's items in index order, each with its latest attempt's phase and error;
    `phase` keeps only the items in that phase."""
    key = ExecutionKey(project, domain, name)
    return item_page(session, key, node_id, offset=offset, limit=limit, phase=phase or None)


@router.get(EXECUTION + "/files/{file_id}/browse", response_class=HTMLResponse, include_in_schema=False)
def browse_folder(
    request: Request, platform: PlatformDep, session: SessionDep, project: str, domain: str, name: str, file_id: int
) -> HTMLResponse:
    """A directory output's files, each with its size and its own download."""
    key = ExecutionKey(project, domain, name)
    folder = _folder(session, key, file_id)
    assert folder.key is not None  # _folder keeps only files in the store
    entries = [(member, size) for member, _, size in folder_entries(platform.store, folder.key)]
    context = {"key": key, "folder": folder, "entries": entries, "root": PurePosixPath(folder.key).name}
    return templates.TemplateResponse(request, "folder.html", context)


@router.get(EXECUTION + "/files/{file_id}/in/{member:path}", include_in_schema=False)
def folder_member(
    platform: PlatformDep, session: SessionDep, project: str, domain: str, name: str, file_id: int, member: str
) -> StreamingResponse:
    """One file of a directory output: only a member the listing names, never another key."""
    folder = _folder(session, ExecutionKey(project, domain, name), file_id)
    assert folder.key is not None
    found = next((k for m, k, _ in folder_entries(platform.store, folder.key) if m == member), None)
    if found is None:
        raise NotFound(f"{folder.name} has no file {member!r}")
    headers = attachment(PurePosixPath(member).name)
    return StreamingResponse(chunks(platform.store.open(found)), media_type="application/octet-stream", headers=headers)


def _folder(session: SessionDep, key: ExecutionKey, file_id: int) -> ExecutionFileRow:
    found = next((f for f in execution_views.execution_files(session, key) if f.id == file_id), None)
    if found is None or found.key is None or not found.folder:
        raise NotFound(f"execution {key} has no directory {file_id} in the store")
    return found
