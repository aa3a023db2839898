"""SignalService: the signals gate nodes wait for, so `FlyteRemote.set_signal`,
`approve`, `reject`, `set_input` and `list_signals` work."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flyteidl.admin import signal_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import signal_pb2_grpc
from grpc import aio
from sqlalchemy.orm import Session

from latchlike.db import Database
from latchlike.executions import signals
from latchlike.grpc.convert import execution_identifier, execution_key

T = TypeVar("T")


class SignalServicer(signal_pb2_grpc.SignalServiceServicer):  # type: ignore[misc]
    def __init__(self, db: Database) -> None:
        self._db = db

    async def _run(self, work: Callable[[Session], T]) -> T:
        return await self._db.run(work)

    async def GetOrCreateSignal(
        self, request: signal_pb2.SignalGetOrCreateRequest, context: aio.ServicerContext
    ) -> signal_pb2.Signal:
        key = execution_key(request.id.execution_id)
        found = await self._run(lambda s: signals.get_or_create_signal(s, key, request.id.signal_id, request.type))
        return _signal(found)

    async def ListSignals(
        self, request: signal_pb2.SignalListRequest, context: aio.ServicerContext
    ) -> signal_pb2.SignalList:
        key = execution_key(request.workflow_execution_id)
        found = await self._run(lambda s: signals.list_signals(s, key))
        return signal_pb2.SignalList(signals=[_signal(item) for item in found])

    async def SetSignal(
        self, request: signal_pb2.SignalSetRequest, context: aio.ServicerContext
    ) -> signal_pb2.SignalSetResponse:
        key = execution_key(request.id.execution_id)
        await self._run(lambda s: signals.set_signal(s, key, request.id.signal_id, request.value))
        return signal_pb2.SignalSetResponse()


def _signal(value: signals.Signal) -> signal_pb2.Signal:
    identifier = identifier_pb2.SignalIdentifier(
        signal_id=value.signal_id, execution_id=execution_identifier(value.execution)
    )
    signal = signal_pb2.Signal(id=identifier, type=value.type)
    if value.value is not None:
        signal.value.CopyFrom(value.value)
    return signal
