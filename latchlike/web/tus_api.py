"""Resumable uploads over tus 1.0 (core, creation, termination, expiration) into a project's
managed files: `POST /api/tus/<project>` makes an upload (`Upload-Metadata` names the path),
`HEAD`/`PATCH`/`DELETE /api/tus/<project>/<id>` ask its offset, append bytes, discard it.
The rules live in `uploads/tus.py`; these routes read headers and write headers."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from starlette.requests import ClientDisconnect

from latchlike.errors import InvalidArgument
from latchlike.uploads.tus import TusUploads, upload_dir
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import ErrorBody, error_responses

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
UPLOAD = "/{project}/{upload_id}"
_OFFSET_MEDIA_TYPE = "application/offset+octet-stream"


def _version_refused() -> dict[int | str, dict[str, Any]]:
    return {412: {"model": ErrorBody, "description": f"`Tus-Resumable` is missing or not {TUS_VERSION}."}}


def _require_tus_version(tus_resumable: Annotated[str | None, Header()] = None) -> None:
    """Every request but OPTIONS says which tus it speaks; tus answers 412 with ours."""
    if tus_resumable != TUS_VERSION:
        raise HTTPException(412, f"this server speaks tus {TUS_VERSION}: send Tus-Resumable: {TUS_VERSION}",
                            headers={"Tus-Version": TUS_VERSION})  # fmt: skip


router = APIRouter(prefix="/api/tus", tags=["tus"])
_SPEAKS_TUS = [Depends(_require_tus_version)]


async def get_uploads(request: Request, platform: PlatformDep) -> TusUploads:
    """The app's one `TusUploads` (it keeps the running hashes), made on first use."""
    state = request.app.state
    if getattr(state, "tus_uploads", None) is None:
        settings = platform.settings
        state.tus_uploads = TusUploads(
            db=platform.db, store=platform.store, folder=upload_dir(settings.data_dir),
            max_bytes=settings.max_upload_bytes, expiry=timedelta(seconds=settings.tus_expiry_seconds),
        )  # fmt: skip
    uploads: TusUploads = state.tus_uploads
    return uploads


UploadsDep = Annotated[TusUploads, Depends(get_uploads)]


def _headers(**values: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **{name.replace("_", "-").title(): value for name, value in values.items()}}


def _whole_number(name: str, value: str | None) -> int:
    if value is None or not value.isdigit():
        raise InvalidArgument(f"{name} must be a whole number of bytes, got {value!r}")
    return int(value)


async def _discovery(uploads: TusUploads, project: str) -> Response:
    limit = await uploads.limit(project)
    headers = _headers(tus_version=TUS_VERSION, tus_extension=EXTENSIONS, tus_max_size=str(limit))
    return Response(status_code=204, headers=headers)


@router.options("/{project}", status_code=204, responses={204: {"description": "What this server supports."}})
async def describe(uploads: UploadsDep, project: str) -> Response:
    """tus discovery: version, extensions and the largest upload the project's workspace accepts."""
    return await _discovery(uploads, project)


@router.options(UPLOAD, status_code=204, include_in_schema=False)
async def describe_upload(uploads: UploadsDep, project: str, upload_id: str) -> Response:
    return await _discovery(uploads, project)


@router.post(
    "/{project}",
    status_code=201,
    dependencies=_SPEAKS_TUS,
    responses={
        201: {"description": "Created; `Location` is the upload's URL to PATCH."},
        **error_responses(400, 409, 412, 413),
        **_version_refused(),
    },
)
async def create(
    uploads: UploadsDep, principal: PrincipalDep, project: str,
    upload_length: Annotated[str | None, Header()] = None, upload_metadata: Annotated[str, Header()] = "",
) -> Response:  # fmt: skip
    """A new upload of `Upload-Length` bytes to the path named in `Upload-Metadata` (`path`,
    else `relativePath`, `filename`, `name`; `overwrite` = "1" replaces a file there, else 412).
    An empty file is recorded at once."""
    length = _whole_number("Upload-Length", upload_length)
    upload_id = await uploads.create(project, length, upload_metadata, uploaded_by=principal.name)
    location = f"/api/tus/{quote(project, safe='')}/{upload_id}"
    return Response(status_code=201, headers=_headers(location=location, upload_offset="0"))


@router.head(
    UPLOAD,
    status_code=200,
    dependencies=_SPEAKS_TUS,
    responses={
        200: {"description": "`Upload-Offset`, `Upload-Length`, `Upload-Expires`."},
        **error_responses(404),
        **_version_refused(),
    },
)
async def offset(uploads: UploadsDep, project: str, upload_id: str) -> Response:
    """How many bytes the server has: where the next PATCH starts."""
    status = await uploads.status(project, upload_id)
    expires = format_datetime(status.expires_at, usegmt=True)
    headers = _headers(upload_offset=str(status.offset), upload_length=str(status.length), upload_expires=expires,
                       cache_control="no-store")  # fmt: skip
    if status.metadata:
        headers["Upload-Metadata"] = status.metadata
    return Response(status_code=200, headers=headers)


@router.patch(
    UPLOAD,
    status_code=204,
    dependencies=_SPEAKS_TUS,
    responses={
        204: {"description": "Accepted; `Upload-Offset` is the new offset. At the full length the file is recorded."},
        **error_responses(400, 404, 409),
        412: {"model": ErrorBody, "description": "Wrong `Tus-Resumable`, or (last byte) a file took the path."},
        415: {"model": ErrorBody, "description": f"The body's Content-Type is not {_OFFSET_MEDIA_TYPE}."},
    },
)
async def append(
    uploads: UploadsDep, principal: PrincipalDep, request: Request, project: str, upload_id: str,
    upload_offset: Annotated[str | None, Header()] = None, content_type: Annotated[str | None, Header()] = None,
) -> Response:  # fmt: skip
    """Append the body at `Upload-Offset` (409 if that is not the upload's offset, or another
    PATCH is writing). A cut body keeps what arrived; HEAD tells where to resume."""
    if content_type != _OFFSET_MEDIA_TYPE:
        raise HTTPException(415, f"a PATCH body must be sent as {_OFFSET_MEDIA_TYPE}")
    start = _whole_number("Upload-Offset", upload_offset)
    try:
        appended = await uploads.append(project, upload_id, start, request.stream(), uploaded_by=principal.name)
    except ClientDisconnect:  # nobody is listening; what arrived is kept
        return Response(status_code=400)
    expires = format_datetime(appended.expires_at, usegmt=True)
    return Response(status_code=204, headers=_headers(upload_offset=str(appended.offset), upload_expires=expires))


@router.delete(
    UPLOAD,
    status_code=204,
    dependencies=_SPEAKS_TUS,
    responses={204: {"description": "Discarded."}, **error_responses(404, 409), **_version_refused()},
)
async def terminate(uploads: UploadsDep, project: str, upload_id: str) -> Response:
    """Discard the upload and every byte of it (tus termination)."""
    await uploads.terminate(project, upload_id)
    return Response(status_code=204, headers=_headers())
