"""The PUT that a signed upload URL points at; streams the body, never holds it in memory."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from latchlike.accounts.limits import upload_limit
from latchlike.store.keys import check_key, upload_key_project
from latchlike.uploads.service import receive_upload
from latchlike.uploads.signing import UploadGrant
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import error_responses

router = APIRouter(tags=["uploads"], responses=error_responses(400, 403, 409, 413))


@router.put("/upload/{key:path}", status_code=201)
async def put_upload(
    key: str, md5: str, expires: int, signature: str, request: Request, platform: PlatformDep
) -> Response:
    key, default = check_key(key), platform.settings.max_upload_bytes
    project = upload_key_project(key)
    limit = default if project is None else await platform.db.run(lambda s: upload_limit(s, project, default))
    await receive_upload(
        db=platform.db,
        store=platform.store,
        signer=platform.signer,
        staging_dir=platform.staging_dir,
        max_idle_seconds=platform.upload_ttl.total_seconds(),
        max_bytes=limit,
        grant=UploadGrant(key=key, md5_hex=md5, expires=expires),
        signature=signature,
        content_md5_header=request.headers.get("content-md5"),
        body=request.stream(),
        now=time.time(),
    )
    return Response(status_code=201)
