"""The signal store and the option checks, against a real SQLite database."""

from __future__ import annotations

import pytest
from flyteidl.core import literals_pb2, types_pb2

from latchlike.errors import InvalidArgument, NotFound
from latchlike.executions.options import ExecutionOptions, check_options
from latchlike.executions.service import ExecutionKey
from latchlike.executions.signals import ensure_signal, list_signals, set_signal, set_signal_from_text
from latchlike.executions.tables import ExecutionRow
from latchlike.platform import Platform

KEY = ExecutionKey("flytesnacks", "development", "e1")
INTEGER = types_pb2.LiteralType(simple=types_pb2.SimpleType.INTEGER)


@pytest.fixture
def execution_id(platform: Platform) -> int:
    with platform.db.session() as session:
        row = ExecutionRow(project=KEY.project, domain=KEY.domain, name=KEY.name, launch_plan="lp", workflow="wf",
                           version="v1", inputs=b"", phase="RUNNING", source="cli", launched_by="me")  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


def test_a_signal_is_given_once_with_a_value_of_its_type(platform: Platform, execution_id: int) -> None:
    with platform.db.session() as session:
        assert ensure_signal(session, execution_id, "reads", INTEGER) is None
    with (
        platform.db.session() as session,
        pytest.raises(InvalidArgument, match="wants a value of type integer, got string_value"),
    ):
        text = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="7")))
        set_signal(session, KEY, "reads", text)
    with platform.db.session() as session, pytest.raises(InvalidArgument, match="'seven' is not a int"):
        set_signal_from_text(session, KEY, "reads", "seven")
    with platform.db.session() as session:
        set_signal_from_text(session, KEY, "reads", " 7 ")
    with platform.db.session() as session:
        [signal] = list_signals(session, KEY)
        assert signal.value is not None and signal.value.scalar.primitive.integer == 7
        with pytest.raises(InvalidArgument, match="was given already"):
            set_signal_from_text(session, KEY, "reads", "8")
        with pytest.raises(NotFound, match="waits for no signal 'other'"):
            set_signal_from_text(session, KEY, "other", "8")


@pytest.mark.parametrize(
    ("options", "message"),
    [(ExecutionOptions(envs={"1BAD": "x"}), "not an environment variable name"),
     (ExecutionOptions(envs={"FLYTE_AWS_SECRET_ACCESS_KEY": "x"}), "set by latchlike"),
     (ExecutionOptions(labels={"team": "a b"}), "--labels: value 'a b' of team"),
     (ExecutionOptions(annotations={"Bad.Prefix/x": "anything"}), "not a lowercase DNS name"),
     (ExecutionOptions(max_parallelism=-1), "max_parallelism -1")],
)  # fmt: skip
def test_options_latchlike_cannot_honour_are_refused(options: ExecutionOptions, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        check_options(options)


def test_options_kubernetes_accepts_pass() -> None:
    check_options(ExecutionOptions(envs={"SAMPLE_SHEET": "v2"}, labels={"example.org/team": "genomics", "empty": ""},
                                   annotations={"note": "any text: at all"}, max_parallelism=2))  # fmt: skip
