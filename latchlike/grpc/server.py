"""Builds the grpc.aio server that runs beside the HTTP server in the same event loop."""

from __future__ import annotations

from datetime import timedelta

from flyteidl.service import admin_pb2_grpc, auth_pb2_grpc, dataproxy_pb2_grpc, signal_pb2_grpc
from grpc import aio

from latchlike.db import Database
from latchlike.downloads.links import DownloadLinks
from latchlike.grpc.admin import AdminServicer
from latchlike.grpc.authmeta import AuthMetadataServicer
from latchlike.grpc.dataproxy import DataProxyServicer
from latchlike.grpc.guard import AccessInterceptor
from latchlike.grpc.signals import SignalServicer
from latchlike.grpc.status import ErrorStatusInterceptor
from latchlike.launches.queue import LaunchQueue
from latchlike.store import FileStore
from latchlike.uploads.signing import UrlSigner

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # large workflows with many inlined tasks


def build_grpc_server(
    *,
    host: str,
    port: int,
    db: Database,
    store: FileStore,
    signer: UrlSigner,
    upload_ttl: timedelta,
    links: DownloadLinks,
    public_url: str = "",
    launches: LaunchQueue | None = None,
    accounts: bool = False,
) -> tuple[aio.Server, int]:
    """The server and the port it bound (useful when `port` is 0); `public_url` is the web
    server's, which links in answers (task logs) point at; `launches`: the queue web launches
    share (the platform's), so that every launch is group-committed with the others;
    `accounts`: every call is authenticated and checked against `access.ACCESS`."""
    server = aio.server(
        interceptors=[ErrorStatusInterceptor(), AccessInterceptor(db, store, accounts=accounts)],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),  # a second server on our port must fail, not split our clients
        ],
    )
    admin_pb2_grpc.add_AdminServiceServicer_to_server(AdminServicer(db, store, links, public_url, launches), server)
    dataproxy = DataProxyServicer(db, store, signer, upload_ttl, links)
    dataproxy_pb2_grpc.add_DataProxyServiceServicer_to_server(dataproxy, server)
    signal_pb2_grpc.add_SignalServiceServicer_to_server(SignalServicer(db), server)
    auth_pb2_grpc.add_AuthMetadataServiceServicer_to_server(AuthMetadataServicer(public_url), server)
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError as error:  # grpc's word for every bind failure
        raise OSError(f"cannot listen for gRPC on {host}:{port}: is the port in use?") from error
    if bound == 0:
        raise OSError(f"cannot listen for gRPC on {host}:{port}")
    return server, bound
