"""`UnaryInterceptor`, the one way our interceptors wrap a handler: they nest in the order given
to the server (the first wraps the others, so error translation covers authorization), a
replaced request deserializer is the one used, and a streaming handler passes unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
from grpc import aio

from latchlike.grpc.wrapping import Behaviour, Deserializer, UnaryInterceptor

SERVICE = "test.Wrapped"


class Recording(UnaryInterceptor):
    """Notes when a call enters and leaves it; `shout` upper-cases requests as they are read."""

    def __init__(self, name: str, seen: list[str], *, shout: bool = False) -> None:
        self._name, self._seen, self._shout = name, seen, shout

    def wrap(self, behaviour: Behaviour, details: grpc.HandlerCallDetails) -> Behaviour:
        async def recorded(request: bytes, context: aio.ServicerContext) -> bytes:
            self._seen.append(f"{self._name} {details.method.rsplit('/', 1)[1]}")
            try:
                return await behaviour(request, context)
            finally:
                self._seen.append(f"{self._name} done")

        return recorded

    def deserializer(self, deserializer: Deserializer | None) -> Deserializer | None:
        if not self._shout or deserializer is None:
            return deserializer
        read = deserializer
        return lambda raw: read(raw).upper()


def test_interceptors_nest_in_order_and_streams_pass_unchanged() -> None:
    seen: list[str] = []

    async def echo(request: bytes, context: aio.ServicerContext) -> bytes:
        seen.append("servicer")
        return request

    async def twice(request: bytes, context: aio.ServicerContext) -> AsyncIterator[bytes]:
        for _ in range(2):
            yield request

    async def scenario() -> tuple[bytes, list[bytes]]:
        server = aio.server(interceptors=[Recording("outer", seen), Recording("inner", seen, shout=True)])
        handlers = {
            "Echo": grpc.unary_unary_rpc_method_handler(echo, request_deserializer=bytes, response_serializer=bytes),
            "Twice": grpc.unary_stream_rpc_method_handler(twice, request_deserializer=bytes, response_serializer=bytes),
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                echoed = await channel.unary_unary(f"/{SERVICE}/Echo")(b"hello", timeout=10)
                streamed = [chunk async for chunk in channel.unary_stream(f"/{SERVICE}/Twice")(b"hi", timeout=10)]
        finally:
            await server.stop(0)
        return echoed, streamed

    echoed, streamed = asyncio.run(scenario())
    assert echoed == b"HELLO"
    assert streamed == [b"hi", b"hi"]  # neither the interceptors nor the shouting deserializer saw it
    assert seen == ["outer Echo", "inner Echo", "servicer", "inner done", "outer done"]
