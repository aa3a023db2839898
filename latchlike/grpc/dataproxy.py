"""DataProxyService: signed upload locations for fast-register code bundles."""

from __future__ import annotations

from datetime import timedelta

from flyteidl.service import dataproxy_pb2, dataproxy_pb2_grpc
from grpc import aio
from sqlalchemy.orm import Session

from latchlike.db import Database
from latchlike.grpc.convert import timestamp
from latchlike.store import FileStore
from latchlike.uploads.service import UploadLocation, create_upload_location
from latchlike.uploads.signing import UrlSigner


class DataProxyServicer(dataproxy_pb2_grpc.DataProxyServiceServicer):  # type: ignore[misc]
    def __init__(self, db: Database, store: FileStore, signer: UrlSigner, max_ttl: timedelta) -> None:
        self._db = db
        self._store = store
        self._signer = signer
        self._max_ttl = max_ttl

    async def CreateUploadLocation(
        self,
        request: dataproxy_pb2.CreateUploadLocationRequest,
        context: aio.ServicerContext,
    ) -> dataproxy_pb2.CreateUploadLocationResponse:
        expires_in = request.expires_in.ToTimedelta() if request.HasField("expires_in") else None

        def work(session: Session) -> UploadLocation:
            return create_upload_location(
                session,
                store=self._store,
                signer=self._signer,
                project=request.project,
                domain=request.domain,
                filename=request.filename,
                filename_root=request.filename_root,
                content_md5=request.content_md5,
                expires_in=expires_in,
                max_ttl=self._max_ttl,
            )

        location = await self._db.run(work)
        return dataproxy_pb2.CreateUploadLocationResponse(
            signed_url=location.signed_url,
            native_url=location.native_url,
            expires_at=timestamp(location.expires_at),
        )
