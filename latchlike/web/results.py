"""What the execution page loads beyond itself: a map task's items one page at a time, and
a directory output's files one by one."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from latchlike.db import Database
from latchlike.errors import NotFound
from latchlike.executions import views as execution_views
from latchlike.executions.items import MAX_LIMIT, ItemPage, item_page
from latchlike.executions.readable import readable_key
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import ExecutionFileRow
from latchlike.store.archive import folder_entries
from latchlike.web.deps import DatabaseDep, PlatformDep
from latchlike.web.errors import error_responses
from latchlike.web.launches import chunks
from latchlike.web.security import download_headers
from latchlike.web.templating import render

router = APIRouter()
EXECUTION = "/executions/{project}/{domain}/{name}"


@router.get("/api" + EXECUTION + "/nodes/{node_id}/items", tags=["executions"], responses=error_responses(400, 404))
async def map_items(
    db: DatabaseDep,
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
    return await db.run(lambda s: item_page(s, key, node_id, offset=offset, limit=limit, phase=phase or None))


@router.get(EXECUTION + "/files/{file_id}/browse", response_class=HTMLResponse, include_in_schema=False)
async def browse_folder(
    request: Request, platform: PlatformDep, project: str, domain: str, name: str, file_id: int
) -> HTMLResponse:
    """A directory output's files, each with its size and its own download."""
    key = ExecutionKey(project, domain, name)
    folder, folder_key = await _folder(platform.db, key, file_id)
    listed = await anyio.to_thread.run_sync(folder_entries, platform.store, folder_key)
    entries = [(member, size) for member, _, size in listed]
    context = {"key": key, "folder": folder, "entries": entries, "root": PurePosixPath(folder_key).name}
    return await render(request, "folder.html", context)


@router.get(EXECUTION + "/files/{file_id}/in/{member:path}", include_in_schema=False)
async def folder_member(
    platform: PlatformDep, project: str, domain: str, name: str, file_id: int, member: str
) -> StreamingResponse:
    """One file of a directory output: only a member the listing names, never another key."""
    folder, folder_key = await _folder(platform.db, ExecutionKey(project, domain, name), file_id)
    listed = await anyio.to_thread.run_sync(folder_entries, platform.store, folder_key)
    found = next((k for m, k, _ in listed if m == member), None)
    if found is None:
        raise NotFound(f"{folder.name} has no file {member!r}")
    handle = await anyio.to_thread.run_sync(platform.store.open, found)
    headers = download_headers(PurePosixPath(member).name)
    return StreamingResponse(chunks(handle), media_type="application/octet-stream", headers=headers)


async def _folder(db: Database, key: ExecutionKey, file_id: int) -> tuple[ExecutionFileRow, str]:
    """The recorded directory and its store key; only directories that are in the store."""
    files = await db.run(lambda s: execution_views.execution_files(s, key))
    found = next((f for f in files if f.id == file_id), None)
    if found is None or found.key is None or not found.folder or not readable_key(key.project, found.key):
        raise NotFound(f"execution {key} has no directory {file_id} in the store")
    return found, found.key
