"""The GET a signed download link points at: one object, with HTTP Range support, or a
folder's listing whose links the same signature covers (what fsspec's HTTP filesystem,
and so flytekit, follows to fetch a FlyteDirectory)."""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse

from latchlike.errors import NotFound
from latchlike.store import FileStore
from latchlike.store.keys import check_key
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import error_responses
from latchlike.web.security import download_headers

router = APIRouter(tags=["downloads"])
_ANSWERS: dict[int | str, dict[str, object]] = {
    206: {"description": "The requested byte range of the object."},
    416: {"description": "The requested byte range lies outside the object (`Content-Range` gives its size)."},
    **error_responses(400, 403, 404),
}
CHUNK_BYTES = 1024 * 1024
_RANGE = re.compile(r"bytes=(?P<start>[0-9]*)-(?P<end>[0-9]*)")


DOWNLOAD = "/download/{expires}/{signature}/{key:path}"


# One handler, two routes: each method its own OpenAPI operation id (one route for both
# would publish one id twice).
@router.get(DOWNLOAD, operation_id="get_download", response_model=None, responses=_ANSWERS)
@router.head(DOWNLOAD, operation_id="head_download", response_model=None, responses=_ANSWERS)
async def get_download(expires: int, signature: str, key: str, request: Request, platform: PlatformDep) -> Response:
    platform.downloads.verify(key, expires, signature, now=time.time())
    store = platform.store
    if key.endswith("/") or not await asyncio.to_thread(store.exists, check_key(key)):
        return await _listing(store, f"/download/{expires}/{signature}/", key.rstrip("/") + "/")
    handle = await asyncio.to_thread(store.open, key)
    size = handle.seek(0, 2)
    span = requested_span(request.headers.get("range"), size)
    if span is None:
        handle.close()
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    start, end = span
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(end - start),
        **download_headers(PurePosixPath(key).name),
    }
    status = 200
    if request.headers.get("range") and (start, end) != (0, size):
        status, headers["Content-Range"] = 206, f"bytes {start}-{end - 1}/{size}"
    if request.method == "HEAD":
        handle.close()
        return Response(status_code=status, headers=headers, media_type="application/octet-stream")
    handle.seek(start)
    return StreamingResponse(_chunks(handle, end - start), status_code=status, headers=headers,
                             media_type="application/octet-stream")  # fmt: skip


def requested_span(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) of a single `bytes=` range; the whole object without one; None if unsatisfiable.
    A range header this does not understand (several ranges) gets the whole object, as RFC 9110 allows."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None or not (match["start"] or match["end"]):
        return 0, size
    if not match["start"]:  # the last N bytes
        last = int(match["end"])
        return (max(size - last, 0), size) if last and size else None
    start = int(match["start"])
    end = min(int(match["end"]) + 1, size) if match["end"] else size
    return (start, end) if start < size and start < end else None


async def _chunks(handle: BinaryIO, remaining: int) -> AsyncIterator[bytes]:
    try:
        while remaining > 0:
            chunk = await asyncio.to_thread(handle.read, min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


async def _listing(store: FileStore, base: str, folder: str) -> HTMLResponse:
    """Immediate children only, folders ending in '/', like any web server's index."""
    objects = await asyncio.to_thread(store.list, check_key(folder.rstrip("/")) + "/")
    if not objects:
        raise NotFound(f"nothing is stored at {folder!r}")
    children = sorted({obj.key[len(folder) :].split("/", 1)[0] + ("/" if "/" in obj.key[len(folder) :] else "")
                       for obj in objects})  # fmt: skip
    links = "\n".join(
        f'<li><a href="{html.escape(base + quote(folder + child))}">{html.escape(child)}</a></li>' for child in children
    )
    return HTMLResponse(f"<!doctype html><title>{html.escape(folder)}</title><ul>\n{links}\n</ul>\n")
