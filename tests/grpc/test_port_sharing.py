"""The gRPC server never shares its port: grpc's default SO_REUSEPORT would let a second
server bind "successfully" and the kernel split clients between the two."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from grpc import aio

from latchlike.grpc.server import build_grpc_server
from latchlike.platform import Platform


def test_binding_a_port_another_grpc_server_listens_on_fails(platform: Platform) -> None:
    async def scenario() -> None:
        other = aio.server()  # grpc's defaults: SO_REUSEPORT on
        port = other.add_insecure_port("127.0.0.1:0")
        await other.start()
        try:
            with pytest.raises(OSError, match=f"cannot listen for gRPC on 127.0.0.1:{port}"):
                build_grpc_server(
                    host="127.0.0.1", port=port, db=platform.db, store=platform.store, signer=platform.signer,
                    upload_ttl=timedelta(hours=1), links=platform.download_links,
                )  # fmt: skip
        finally:
            await other.stop(0)

    asyncio.run(scenario())
