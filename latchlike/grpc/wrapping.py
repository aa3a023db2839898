"""The one way our server interceptors wrap a method's handler.

Every method latchlike serves is unary-unary. An interceptor says how it wraps that
behaviour (and, if it must, the request deserializer); this base rebuilds the handler.
Handlers of any other shape, and unknown methods, pass unchanged, so gRPC answers them itself.
Interceptors nest in the order given to `aio.server`: the first one wraps all the others.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from grpc import aio

Behaviour = Callable[[Any, aio.ServicerContext], Awaitable[Any]]
"""A unary-unary method's behaviour: request and context in, response out."""
Deserializer = Callable[[bytes], Any]


class UnaryInterceptor(aio.ServerInterceptor):  # type: ignore[misc]
    """Wraps each unary-unary handler's behaviour with `wrap`."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        return grpc.unary_unary_rpc_method_handler(
            self.wrap(handler.unary_unary, handler_call_details),
            request_deserializer=self.deserializer(handler.request_deserializer),
            response_serializer=handler.response_serializer,
        )

    @abstractmethod
    def wrap(self, behaviour: Behaviour, details: grpc.HandlerCallDetails) -> Behaviour:
        """`behaviour` with this interceptor's step around it."""

    def deserializer(self, deserializer: Deserializer | None) -> Deserializer | None:
        """The request deserializer to use instead of the handler's (by default, the same)."""
        return deserializer
