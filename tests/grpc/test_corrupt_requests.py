"""Bytes that are no protobuf message get INVALID_ARGUMENT on every method, never UNKNOWN
(which flytekit reads as "log in" and hangs on)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import grpc
from flyteidl.service import admin_pb2, dataproxy_pb2, signal_pb2
from grpc import aio

from latchlike.grpc.server import build_grpc_server
from latchlike.platform import Platform

CORRUPT = b"\x0a\xff\xff\xff\xff\x0f"  # field 1, length-delimited, a length far past the end
SERVICES = (
    admin_pb2.DESCRIPTOR.services_by_name["AdminService"],
    dataproxy_pb2.DESCRIPTOR.services_by_name["DataProxyService"],
    signal_pb2.DESCRIPTOR.services_by_name["SignalService"],
)


def test_corrupt_request_bytes_are_invalid_arguments_on_every_method(platform: Platform) -> None:
    async def scenario() -> dict[str, tuple[grpc.StatusCode, str]]:
        server, port = build_grpc_server(
            host="127.0.0.1", port=0, db=platform.db, store=platform.store, signer=platform.signer,
            upload_ttl=timedelta(hours=1), links=platform.download_links,
        )  # fmt: skip
        await server.start()
        answers = {}
        try:
            async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                for service in SERVICES:
                    for method in service.methods:
                        call = channel.unary_unary(f"/{service.full_name}/{method.name}")
                        try:
                            await call(CORRUPT, timeout=10)
                        except aio.AioRpcError as error:
                            answers[method.name] = (error.code(), error.details() or "")
                        else:
                            answers[method.name] = (grpc.StatusCode.OK, "")
        finally:
            await server.stop(0)
        return answers

    answers = asyncio.run(scenario())
    assert len(answers) > 40
    wrong = {name: answer for name, answer in answers.items() if answer[0] != grpc.StatusCode.INVALID_ARGUMENT}
    assert wrong == {}
    details = answers["CreateTask"][1]
    assert "CreateTask" in details and "not a valid" in details
