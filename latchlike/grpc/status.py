"""The one table from latchlike errors to gRPC status codes, applied to every handler.

No handler may answer UNKNOWN: flytekit reads UNKNOWN as "not authenticated" and opens a
browser login that hangs. Unexpected exceptions are logged and become INTERNAL; request
bytes that are no valid message become INVALID_ARGUMENT.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import grpc
from grpc import aio

from latchlike import errors
from latchlike.grpc.wrapping import Behaviour, Deserializer, UnaryInterceptor

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[errors.LatchlikeError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    # flytekit retries INVALID_ARGUMENT a few times and then reports it; FAILED_PRECONDITION
    # would be closer in meaning but FlyteAdmin answers a changed version this way.
    errors.Conflict: grpc.StatusCode.INVALID_ARGUMENT,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.PayloadTooLarge: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
    errors.TooManyRequests: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.InternalError: grpc.StatusCode.INTERNAL,
}


def status_for(error: errors.LatchlikeError) -> grpc.StatusCode:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return grpc.StatusCode.INTERNAL


@dataclass(frozen=True)
class Undecodable:
    """What a request became whose bytes could not be parsed.

    gRPC runs the deserializer before any handler or context exists and answers UNKNOWN
    to whatever it raises, so it must not raise: the handler refuses this instead."""

    reason: str


def tolerant(deserializer: Deserializer | None) -> Deserializer | None:
    if deserializer is None:
        return None

    def deserialize(raw: bytes) -> Any:
        try:
            return deserializer(raw)
        except Exception as error:  # protobuf's DecodeError, or whatever else bad bytes provoke
            return Undecodable(str(error))

    return deserialize


class ErrorStatusInterceptor(UnaryInterceptor):
    """Wraps every unary handler so errors leave as specific status codes."""

    def wrap(self, behaviour: Behaviour, details: grpc.HandlerCallDetails) -> Behaviour:
        method = details.method

        async def translated(request: Any, context: aio.ServicerContext) -> Any:
            if isinstance(request, Undecodable):
                await context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT, f"{method}: the request is not a valid message: {request.reason}"
                )
            try:
                return await behaviour(request, context)
            except errors.LatchlikeError as error:
                await context.abort(status_for(error), error.message)
            except aio.AbortError:
                raise
            except NotImplementedError:
                await context.abort(
                    grpc.StatusCode.UNIMPLEMENTED,
                    f"{method} is not supported by latchlike",
                )
            except Exception:
                log.exception("unexpected error in %s", method)
                await context.abort(
                    grpc.StatusCode.INTERNAL,
                    f"internal error in {method}; see the server log",
                )

        return translated

    def deserializer(self, deserializer: Deserializer | None) -> Deserializer | None:
        return tolerant(deserializer)
