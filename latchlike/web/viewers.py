"""Looking at a managed file without downloading it: `/view/<project>/<path>?viewer=…` (a
stable URL per file and viewer, to share with anyone who may read the file) and
`/raw/<project>/<path>`, the file's own bytes for the viewers that embed them.

Raw HTML (FastQC, MultiQC and our own QC reports) is served under a sandbox policy: its
scripts run in an opaque origin that cannot read the app's cookies, pages or API, and it
can load nothing from any network — reports are self-contained or they show unstyled."""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from latchlike.errors import InvalidArgument
from latchlike.platform import Platform
from latchlike.viewers import service
from latchlike.viewers.choice import RAW_VIEWERS
from latchlike.viewers.table import TableCache
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import error_responses
from latchlike.web.security import CONTENT_SECURITY_POLICY
from latchlike.web.templating import render

router = APIRouter(tags=["viewers"], responses=error_responses(400, 404))
_TABLES = TableCache()
_RAW_TYPES = {"html": "text/html; charset=utf-8", "png": "image/png", "pdf": "application/pdf"}
REPORT_POLICY = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)
"""For raw HTML: scripts and styles inline only, no network, no same-origin access."""
GENOME_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
"""The genome viewer's page: igv.js decodes CRAM with WebAssembly, which compiling needs
(`wasm-unsafe-eval` allows WebAssembly only, never JavaScript's eval)."""


@router.get("/view/{project}/{path:path}", response_class=HTMLResponse)
async def view_page(
    request: Request, platform: PlatformDep, project: str, path: str,
    viewer: str | None = None, reference: str | None = None, offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    sort: Annotated[int | None, Query(ge=0, le=100_000)] = None, desc: bool = False,
) -> HTMLResponse:  # fmt: skip
    ref = await platform.db.run(lambda session: service.describe(session, platform.store, project, path))
    chosen = service.choose(ref, viewer)
    look, genome = None, None
    if chosen == "genome":
        genome = await _genome(platform, ref, reference)
    elif chosen is not None and chosen != "qc" and chosen not in RAW_VIEWERS:
        query = {"offset": offset, "sort": sort, "desc": desc}
        look = await asyncio.to_thread(service.look, platform.store, _TABLES, ref, chosen, query)
    context = {
        "ref": ref,
        "viewer": chosen,
        "look": look,
        "genome": genome,
        "name": PurePosixPath(ref.path).name,
        "folders": _folders(ref.path),
        "quoted": quote(ref.path),
        "report_frame": _raw_of(ref.qc.report) if ref.qc and ref.qc.report else None,
    }
    page = await render(request, "view.html", context)
    if chosen == "genome":
        page.headers["Content-Security-Policy"] = GENOME_POLICY
    return page


@router.get(
    "/index/{project}/{path:path}",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The index, built if needed."}},
)
async def file_index(platform: PlatformDep, project: str, path: str, kind: str) -> StreamingResponse:
    """A FASTA's `.fai` or a BAM's `.bai`, for the genome browser (built on first use)."""
    ref = await platform.db.run(lambda session: service.describe(session, platform.store, project, path))
    key = await asyncio.to_thread(service.build_index, platform.store, ref, kind, platform.staging_dir)
    return StreamingResponse(platform.store.stream(key), media_type="application/octet-stream",
                             headers={"Cache-Control": "private, max-age=3600"})  # fmt: skip


async def _genome(platform: Platform, ref: service.FileRef, asked: str | None) -> dict[str, Any]:
    """The page's part of the genome viewer: the reference choice and igv.js's options."""
    references = await platform.db.run(lambda session: service.references(session, ref.project))
    if asked and asked not in references:
        raise InvalidArgument(f"{asked!r} is not a FASTA file of project {ref.project!r} (uncompressed)")
    chosen = asked or (references[0] if references else None)
    if chosen is None:
        return {"references": [], "reference": None, "config": None}
    reference = await platform.db.run(lambda session: service.describe(session, platform.store, ref.project, chosen))
    scratch = platform.staging_dir
    await asyncio.to_thread(service.build_index, platform.store, reference, "fai", scratch)
    locus = await asyncio.to_thread(service.genome_locus, platform.store, ref, scratch)
    track_type, track_format = service.GENOME_TRACKS[ref.kind]
    track: dict[str, Any] = {"name": PurePosixPath(ref.path).name, "type": track_type, "format": track_format,
                             "url": _download(ref.project, ref.path)}  # fmt: skip
    if ref.kind in service.ALIGNMENT_INDEXES:
        track["indexURL"] = _index(ref.project, ref.path, service.ALIGNMENT_INDEXES[ref.kind])
    elif ref.kind != "bigwig":  # bigWig carries its own index
        track["indexed"] = False
    config = {
        "reference": {"id": chosen, "name": PurePosixPath(chosen).name, "fastaURL": _download(ref.project, chosen),
                      "indexURL": _index(ref.project, chosen, "fai")},
        "loadDefaultGenomes": False,
        "genomeList": [],
        "showCenterGuide": True,
        "tracks": [track],
        **({"locus": locus} if locus else {}),
    }  # fmt: skip
    return {"references": references, "reference": chosen, "config": config}


def _download(project: str, path: str) -> str:
    return f"/api/files/{quote(project, safe='')}/{quote(path)}?download=1"


def _index(project: str, path: str, kind: str) -> str:
    return f"/index/{quote(project, safe='')}/{quote(path)}?kind={kind}"


@router.get(
    "/raw/{project}/{path:path}",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/html": {}, "image/png": {}, "application/pdf": {}}}},
)
async def raw_file(platform: PlatformDep, project: str, path: str) -> StreamingResponse:
    ref = await platform.db.run(lambda session: service.describe(session, platform.store, project, path))
    if ref.kind not in _RAW_TYPES or ref.compression != "none":
        raise InvalidArgument(f"a {ref.kind} file is not shown inline; download it instead")
    headers = {
        "Content-Length": str(ref.size),
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(PurePosixPath(ref.path).name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
        "ETag": f'"{ref.sha256}"',
    }
    if ref.kind == "html":
        headers["Content-Security-Policy"] = REPORT_POLICY
    chunks = platform.store.stream(ref.key) if ref.size else iter(())
    return StreamingResponse(chunks, headers=headers, media_type=_RAW_TYPES[ref.kind])


def _raw_of(view_url: str) -> str:
    """The bytes behind a `/view/...` URL (a QC report's), for a frame in this page."""
    return "/raw/" + view_url.removeprefix("/view/")


def _folders(path: str) -> list[tuple[str, str]]:
    """(name, path) of each folder above the file, outermost first, for the breadcrumbs."""
    parts = path.split("/")[:-1]
    return [(part, "/".join(parts[: i + 1])) for i, part in enumerate(parts)]
