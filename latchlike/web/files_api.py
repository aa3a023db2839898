"""Managed files over HTTP, for scripts: `PUT` a raw streamed body, `GET` a record, a
folder's page of entries, or (`?download=1`) the bytes with Range (a folder: one tar); `DELETE` to the trash
(`?purge=1` for good); `POST <path>:move`, `:restore`, `:mkdir`, `:kind`. Paths are checked before
a byte is read; a refused or cut request changes nothing."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from latchlike.accounts.limits import check_size, upload_limit
from latchlike.errors import InvalidArgument, PreconditionFailed
from latchlike.files import browse, kinds_set, service
from latchlike.files.paths import check_path, check_writable, is_outputs, live_key
from latchlike.files.service import FileInfo, FolderInfo
from latchlike.files.staging import StagedFile
from latchlike.store.archive import tar_stream
from latchlike.triggers import state as qc_state
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import DatabaseDep, PlatformDep
from latchlike.web.errors import error_responses
from latchlike.web.ranges import Unsatisfiable, byte_range
from latchlike.web.security import download_headers

router = APIRouter(prefix="/api/files", tags=["files"], responses=error_responses(400, 403, 404))
FILE = "/{project}/{path:path}"
_CREATED: dict[int | str, dict[str, Any]] = {
    201: {"model": FileInfo, "description": "Created: nothing was at that path."}
}


class KindRequest(BaseModel):
    kind: str
    """One of the kinds latchlike detects, or `unknown`."""


class MoveRequest(BaseModel):
    to: str
    """The new path, below the same project's folder."""
    overwrite: bool = False
    """Replace a file at `to` (never a folder)."""


@router.put(FILE, status_code=200, responses={**_CREATED, **error_responses(409, 412)})
async def put_file(
    platform: PlatformDep, principal: PrincipalDep, request: Request, project: str, path: str,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Any:  # fmt: skip
    """Store the raw request body at `path` (folders above it are made): 201 if new, 200 if it
    replaced a file. `If-None-Match: *` refuses to replace (412). Hashed and typed as it streams."""
    path = check_path(path)
    check_writable(path)  # before the body is read, as a bad project name below
    live_key(project, path)
    overwrite = if_none_match is None
    if if_none_match not in (None, "*"):
        raise InvalidArgument("If-None-Match takes only '*' here (do not replace a file that exists)")
    if not overwrite and await platform.db.run(lambda s: service.find(s, project, path)) is not None:
        raise PreconditionFailed(f"{path!r} exists and the request asked not to replace it")
    limit = await platform.db.run(lambda s: upload_limit(s, project, platform.settings.max_upload_bytes))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit():
        check_size(int(declared), limit)  # before a byte is read
    staged = StagedFile(platform.staging_dir)
    try:
        async for chunk in request.stream():
            staged.write(chunk)
            check_size(staged.size, limit)
        staged.finish()
        if declared is not None and int(declared) != staged.size:
            raise InvalidArgument(f"the body has {staged.size} bytes, Content-Length said {declared}")

        def record(session: Any) -> tuple[FileInfo, bool]:
            row, created = service.put(session, platform.store, project, path, staged, overwrite=overwrite,
                                       uploaded_by=principal.name)  # fmt: skip
            return qc_state.with_qc(session, platform.store, row), created

        recorded, created = await platform.db.run(record)
    except ClientDisconnect:  # the client went away mid-body: nothing was recorded or stored
        return Response(status_code=status.HTTP_400_BAD_REQUEST)
    finally:
        staged.discard()
    body = recorded.model_dump(mode="json")
    return JSONResponse(body, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@router.get(
    FILE,
    response_model=FileInfo | FolderInfo,
    responses={
        200: {
            "content": {"application/octet-stream": {}, "application/x-tar": {}},
            "description": "The record; with `download` a file's bytes, or a folder as one tar (`<name>.tar`, its "
            "files and folders by path relative to it; no Range).",
        },
        206: {"content": {"application/octet-stream": {}}, "description": "The byte range asked for (`Range`)."},
        416: {"description": "The range lies outside the file; `Content-Range: bytes */size`."},
    },
)
async def get_file(
    platform: PlatformDep, project: str, path: str, download: bool = False, after: str = "",
    limit: int = service.PAGE_LIMIT, range_: Annotated[str | None, Header(alias="range")] = None,
) -> Any:  # fmt: skip
    """A file's record with its `qc` (docs/qc.md), or a folder's entries (each with its QC status)
    a page at a time (`after` = the last page's `next_after`; '' is the project's top, whose
    first page starts with the read-only `.executions` folder of execution outputs).
    `download=1` streams a file's bytes, with Range, or a folder as one tar (any `.executions`
    folder too), read from the store as it is sent."""
    if not download:

        def read(session: Any) -> FileInfo | FolderInfo:
            found = browse.read(session, platform.store, project, path, after=after, limit=limit)
            if is_outputs(check_path(path, root_allowed=True)):
                return found  # what executions wrote: no QC of its own
            if isinstance(found, FolderInfo):
                return qc_state.folder_with_qc(session, project, found)
            return qc_state.with_qc(session, platform.store, service.get(session, project, path))

        return await platform.db.run(read)
    row = await platform.db.run(lambda s: browse.download(s, platform.store, project, path))
    if isinstance(row, browse.FolderArchive):
        archive = tar_stream(platform.store, "", row.entries)
        return StreamingResponse(archive, media_type="application/x-tar", headers=download_headers(f"{row.name}.tar"))
    headers = {"Accept-Ranges": "bytes", **download_headers(PurePosixPath(path).name)}
    if row.sha256:
        headers["ETag"] = f'"{row.sha256}"'
    try:
        chosen = byte_range(range_, row.size)
    except Unsatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{row.size}"})
    start, end = chosen if chosen else (0, row.size - 1)
    headers["Content-Length"] = str(end - start + 1)
    if chosen:
        headers["Content-Range"] = f"bytes {start}-{end}/{row.size}"
    chunks = platform.store.stream(row.key, start, end - start + 1) if row.size else iter(())
    return StreamingResponse(chunks, status_code=206 if chosen else 200, headers=headers,
                             media_type="application/octet-stream")  # fmt: skip


@router.delete(FILE, status_code=204, responses=error_responses(400, 404))
async def delete_file(platform: PlatformDep, project: str, path: str, purge: bool = False) -> Response:
    """To the trash (restorable), or with `purge=1` for good: the live file or folder, or else
    what was last deleted at that path."""
    if purge:
        await platform.db.run(lambda s: service.purge(s, platform.store, project, path))
    else:
        await platform.db.run(lambda s: service.trash(s, platform.store, project, path))
    return Response(status_code=204)


@router.post(FILE + ":move", responses=error_responses(409))
async def move_file(platform: PlatformDep, project: str, path: str, request: MoveRequest) -> FileInfo:
    """Rename or move a file or a folder with all inside; 409 if `to` is taken (a file there
    is replaced only with `overwrite`)."""
    moved = await platform.db.run(
        lambda s: service.move(s, platform.store, project, path, request.to, overwrite=request.overwrite)
    )
    return service.info(moved)


@router.post(FILE + ":restore", responses=error_responses(409))
async def restore_file(platform: PlatformDep, project: str, path: str) -> FileInfo:
    """Bring back what was last deleted at `path`; 409 if something new is there now."""
    return await platform.db.run(lambda s: service.info(service.restore(s, platform.store, project, path)))


@router.post(FILE + ":mkdir", status_code=200, responses={**_CREATED, **error_responses(409)})
async def make_folder(db: DatabaseDep, principal: PrincipalDep, project: str, path: str) -> Any:
    """A folder (and those above it): 201 if new, 200 if it was there; 409 if a file is."""
    row, created = await db.run(lambda s: service.make_folder(s, project, path, uploaded_by=principal.name))
    body = service.info(row).model_dump(mode="json")
    return JSONResponse(body, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@router.post(FILE + ":kind", responses=error_responses(403))
async def set_kind(platform: PlatformDep, project: str, path: str, request: KindRequest) -> FileInfo:
    """Say what the file is, over what was detected (`kind_detected` turns false): 400 for a
    kind latchlike does not know (the message names those it does) or a folder, 403 in
    `.executions`. A changed kind queues the file's QC again, for its new kind."""

    def change(session: Any) -> FileInfo:
        row = kinds_set.set_kind(session, project, path, request.kind)
        return qc_state.with_qc(session, platform.store, row)

    return await platform.db.run(change)
