"""`POST /api/hooks/bucket-events`: the S3 bucket-notification webhook (MinIO's webhook
target, `MINIO_NOTIFY_WEBHOOK_ENDPOINT`), so files other tools write straight into the
bucket appear in the file browser without waiting for the periodic reconcile.

Authenticated by the shared secret MinIO sends (`Authorization: Bearer <token>`, or the
token itself when it is already `Scheme value`); off unless a token is configured."""

from __future__ import annotations

import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from latchlike.errors import InvalidArgument, NotFound, PayloadTooLarge, Unauthenticated, Unavailable
from latchlike.files.bucket_events import parse_events
from latchlike.store.s3 import S3FileStore
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import error_responses

router = APIRouter(prefix="/api/hooks", tags=["files"])
MAX_BODY_BYTES = 1024 * 1024


class EventsAccepted(BaseModel):
    queued: int
    """Object creations and removals queued; reads, other buckets and other prefixes are dropped."""


@router.post(
    "/bucket-events",
    responses=error_responses(400, 401, 404, 413, 503),
)
async def bucket_events(
    request: Request, platform: PlatformDep, authorization: Annotated[str | None, Header()] = None
) -> EventsAccepted:
    token = platform.settings.bucket_events_token
    store = platform.store
    if not token or not isinstance(store, S3FileStore):
        raise NotFound("bucket notifications are off: they need an s3:// store and LATCHLIKE_BUCKET_EVENTS_TOKEN")
    if not _authorized(authorization, token):
        raise Unauthenticated("this webhook needs the bucket-notification token in the Authorization header")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"a bucket notification is at most {MAX_BODY_BYTES} bytes")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument("a bucket notification is JSON") from None
    events = parse_events(document, bucket=store.bucket, prefix=store.prefix)
    if not request.app.state.store_watcher.submit(events):
        raise Unavailable("too many bucket events are waiting to be applied; retry later")
    return EventsAccepted(queued=len(events))


def _authorized(header: str | None, token: str) -> bool:
    if header is None:
        return False
    given = header.encode("utf-8", "surrogateescape")
    expected = token if " " in token.strip() else f"Bearer {token}"
    return hmac.compare_digest(given, expected.encode("utf-8", "surrogateescape"))
