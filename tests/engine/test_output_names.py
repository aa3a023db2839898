"""Outputs are shown as the signature names them where flytekit keeps the names (a
NamedTuple), else as `o0`, each with its declared type."""

from __future__ import annotations

import pytest

from latchlike.executions.views import execution_detail
from latchlike.platform import Platform
from tests.engine.running import launch, run_until_done

pytestmark = pytest.mark.slow


def test_named_outputs_keep_their_names_and_show_their_types(registered: Platform) -> None:
    key = launch(registered, "pipelines.reads.counted", {"reads": {"r1": "abc.fq"}})
    assert run_until_done(registered, key).phase == "SUCCEEDED"
    with registered.db.session() as session:
        detail = execution_detail(session, key)
    outputs = detail.outputs
    assert detail.workflow_title == "Counted"
    # By name: the protos keep no order, and the source hints record only the inputs'.
    assert [(o.name, o.type, o.preview) for o in outputs] == [("label", "str", '"abc.fq"'), ("reads", "int", "6")]


def test_unnamed_outputs_are_o0_with_their_type(registered: Platform) -> None:
    key = launch(registered, "pipelines.reads.align", {"reads": {"branch": 0, "value": {"r1": "b.fq"}}})
    assert run_until_done(registered, key).phase == "SUCCEEDED"
    with registered.db.session() as session:
        [output] = execution_detail(session, key).outputs
    assert (output.name, output.type) == ("o0", "str")
