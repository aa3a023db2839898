"""DataProxyService: signed upload locations (code bundles, local inputs) and signed
download links and data (outputs read from another machine)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from flyteidl.core import literals_pb2
from flyteidl.service import dataproxy_pb2, dataproxy_pb2_grpc
from grpc import aio
from sqlalchemy.orm import Session

from latchlike.db import Database
from latchlike.downloads.data import DataRef, deck_key, parse_flyte_url, read_data
from latchlike.downloads.links import DownloadLinks, Link
from latchlike.errors import InvalidArgument, NotFound
from latchlike.grpc.convert import timestamp
from latchlike.store import FileStore
from latchlike.uploads.service import UploadLocation, create_upload_location
from latchlike.uploads.signing import UrlSigner


class DataProxyServicer(dataproxy_pb2_grpc.DataProxyServiceServicer):  # type: ignore[misc]
    def __init__(
        self, db: Database, store: FileStore, signer: UrlSigner, max_ttl: timedelta, links: DownloadLinks
    ) -> None:
        self._db = db
        self._store = store
        self._signer = signer
        self._max_ttl = max_ttl
        self._links = links

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

    async def CreateDownloadLocation(
        self, request: dataproxy_pb2.CreateDownloadLocationRequest, context: aio.ServicerContext
    ) -> dataproxy_pb2.CreateDownloadLocationResponse:
        """Deprecated in Flyte, still called: a link for a store URI (a file or a folder)."""
        ttl = request.expires_in.ToTimedelta() if request.HasField("expires_in") else None
        link = await asyncio.to_thread(self._links.for_uri, request.native_url, ttl=ttl)
        return dataproxy_pb2.CreateDownloadLocationResponse(signed_url=link.url, expires_at=timestamp(link.expires_at))

    async def CreateDownloadLink(
        self, request: dataproxy_pb2.CreateDownloadLinkRequest, context: aio.ServicerContext
    ) -> dataproxy_pb2.CreateDownloadLinkResponse:
        """FlyteAdmin serves one artifact here: a node's deck."""
        if request.artifact_type != dataproxy_pb2.ARTIFACT_TYPE_DECK:
            raise InvalidArgument("a download link needs artifact_type ARTIFACT_TYPE_DECK")
        if not request.HasField("node_execution_id"):
            raise InvalidArgument("a download link needs a node_execution_id")
        node = request.node_execution_id
        ref = parse_flyte_url(
            f"flyte://v1/{node.execution_id.project}/{node.execution_id.domain}/{node.execution_id.name}/{node.node_id}/d"
        )
        ttl = request.expires_in.ToTimedelta() if request.HasField("expires_in") else None
        link = await self._db.run(lambda s: self._deck_link(s, ref, ttl))
        urls = dataproxy_pb2.PreSignedURLs(signed_url=[link.url], expires_at=timestamp(link.expires_at))
        return dataproxy_pb2.CreateDownloadLinkResponse(
            signed_url=[link.url], expires_at=timestamp(link.expires_at), pre_signed_urls=urls
        )

    async def GetData(
        self, request: dataproxy_pb2.GetDataRequest, context: aio.ServicerContext
    ) -> dataproxy_pb2.GetDataResponse:
        ref = parse_flyte_url(request.flyte_url)
        if ref.io == "d":
            link = await self._db.run(lambda s: self._deck_link(s, ref, None))
            urls = dataproxy_pb2.PreSignedURLs(signed_url=[link.url], expires_at=timestamp(link.expires_at))
            return dataproxy_pb2.GetDataResponse(pre_signed_urls=urls)
        found = await self._db.run(lambda s: read_data(s, self._store, ref))
        if isinstance(found, literals_pb2.LiteralMap):
            return dataproxy_pb2.GetDataResponse(literal_map=self._links.outgoing(found))
        wrapped = self._links.outgoing(literals_pb2.LiteralMap(literals={"o": found}))
        return dataproxy_pb2.GetDataResponse(literal=wrapped.literals["o"])

    def _deck_link(self, session: Session, ref: DataRef, ttl: timedelta | None) -> Link:
        key = deck_key(session, ref)
        if not self._store.exists(key):
            raise NotFound(
                f"node {ref.node_id} of {ref.execution} has no deck (enable it with @task(enable_deck=True))"
            )
        return self._links.for_key(key, ttl=ttl)
