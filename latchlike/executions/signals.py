"""Signals: the values gate nodes wait for (`approve` a boolean, `wait_for_input` a typed
value), as FlyteAdmin's SignalService keeps them. The engine creates a signal when its gate
starts; `SetSignal` or the execution page gives it a value once; the engine reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flyteidl.core import literals_pb2, types_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.db import utcnow
from latchlike.errors import InvalidArgument, NotFound
from latchlike.executions.service import ExecutionKey
from latchlike.executions.tables import ExecutionRow, SignalRow
from ui_gen.adapters.flyteidl import type_spec
from ui_gen.adapters.literals import to_literal

_PRIMITIVE_OF = {
    types_pb2.SimpleType.INTEGER: "integer", types_pb2.SimpleType.FLOAT: "float_value",
    types_pb2.SimpleType.STRING: "string_value", types_pb2.SimpleType.BOOLEAN: "boolean",
    types_pb2.SimpleType.DATETIME: "datetime", types_pb2.SimpleType.DURATION: "duration",
}  # fmt: skip
_FROM_TEXT = {"int": int, "float": float, "str": str}
"""The kinds the execution page can take as typed text; others need FlyteRemote."""
_BOOLEANS = {"true": True, "yes": True, "approve": True, "false": False, "no": False, "reject": False}


@dataclass(frozen=True)
class Signal:
    execution: ExecutionKey
    signal_id: str
    type: types_pb2.LiteralType
    value: literals_pb2.Literal | None
    created_at: datetime


def get_or_create_signal(
    session: Session, key: ExecutionKey, signal_id: str, literal_type: types_pb2.LiteralType
) -> Signal:
    execution = _execution_row(session, key)
    return _signal(key, _get_or_create(session, execution.id, signal_id, literal_type))


def ensure_signal(
    session: Session, execution_id: int, signal_id: str, literal_type: types_pb2.LiteralType
) -> bytes | None:
    """The engine's side: the signal exists from the moment its gate waits; its value, if given."""
    return _get_or_create(session, execution_id, signal_id, literal_type).value


def set_signal(session: Session, key: ExecutionKey, signal_id: str, value: literals_pb2.Literal) -> None:
    """A signal is set once, with a value of its type, while its execution runs."""
    row = _waiting_signal(session, key, signal_id)
    problem = _misfit(value, types_pb2.LiteralType.FromString(row.type))
    if problem:
        raise InvalidArgument(f"signal {signal_id!r} of {key}: {problem}")
    row.value, row.set_at = value.SerializeToString(deterministic=True), utcnow()


def set_signal_from_text(session: Session, key: ExecutionKey, signal_id: str, text: str) -> None:
    """What the execution page posts: `approve`/`reject`, or typed text read by the signal's type."""
    literal_type = types_pb2.LiteralType.FromString(_waiting_signal(session, key, signal_id).type)
    set_signal(session, key, signal_id, literal_from_text(literal_type, text))


def _waiting_signal(session: Session, key: ExecutionKey, signal_id: str) -> SignalRow:
    execution = _execution_row(session, key)
    row = session.scalar(
        select(SignalRow).where(SignalRow.execution_id == execution.id, SignalRow.signal_id == signal_id)
    )
    if row is None:
        raise NotFound(f"execution {key} waits for no signal {signal_id!r} (yet)")
    if row.value is not None:
        raise InvalidArgument(f"signal {signal_id!r} of {key} was given already; a signal is given once")
    if execution.phase != "RUNNING":
        raise InvalidArgument(f"execution {key} is {execution.phase}; its gates no longer wait")
    return row


def literal_from_text(literal_type: types_pb2.LiteralType, text: str) -> literals_pb2.Literal:
    kind = type_spec(literal_type)
    if kind.kind == "bool":
        value: object = _BOOLEANS.get(text.strip().lower())
        if value is None:
            raise InvalidArgument(f"{text!r} is not a yes or a no")
    elif kind.kind in _FROM_TEXT:
        try:
            value = _FROM_TEXT[kind.kind](text if kind.kind == "str" else text.strip())
        except ValueError:
            raise InvalidArgument(f"{text!r} is not a {kind.label}") from None
    else:
        raise InvalidArgument(f"a {kind.label} cannot be typed here; give it with FlyteRemote.set_signal")
    return to_literal(value, literal_type, kind)


def list_signals(session: Session, key: ExecutionKey) -> list[Signal]:
    execution = _execution_row(session, key)
    rows = session.scalars(select(SignalRow).where(SignalRow.execution_id == execution.id).order_by(SignalRow.id))
    return [_signal(key, row) for row in rows]


def _get_or_create(
    session: Session, execution_id: int, signal_id: str, literal_type: types_pb2.LiteralType
) -> SignalRow:
    row = session.scalar(
        select(SignalRow).where(SignalRow.execution_id == execution_id, SignalRow.signal_id == signal_id)
    )
    if row is None:
        row = SignalRow(
            execution_id=execution_id, signal_id=signal_id, type=literal_type.SerializeToString(deterministic=True)
        )
        session.add(row)
        session.flush()
    return row


def _execution_row(session: Session, key: ExecutionKey) -> ExecutionRow:
    row = session.scalar(
        select(ExecutionRow).where(
            ExecutionRow.project == key.project, ExecutionRow.domain == key.domain, ExecutionRow.name == key.name
        )
    )
    if row is None:
        raise NotFound(f"no execution {key}")
    return row


def _misfit(value: literals_pb2.Literal, literal_type: types_pb2.LiteralType) -> str | None:
    """Why a value is not of a simple type; other types are left to the task that reads them."""
    if literal_type.WhichOneof("type") != "simple" or literal_type.simple not in _PRIMITIVE_OF:
        return None
    wanted = _PRIMITIVE_OF[literal_type.simple]
    given = value.scalar.primitive.WhichOneof("value") if value.scalar.HasField("primitive") else None
    if given != wanted:
        name = types_pb2.SimpleType.Name(literal_type.simple).lower()
        return f"wants a value of type {name}, got {given or 'another kind'}"
    return None


def _signal(key: ExecutionKey, row: SignalRow) -> Signal:
    value = literals_pb2.Literal.FromString(row.value) if row.value is not None else None
    return Signal(key, row.signal_id, types_pb2.LiteralType.FromString(row.type), value, row.created_at)
