"""Node kinds beyond data-linked tasks, registered as pyflyte serializes them and run by the
engine: ordering-only dependencies, echo tasks, and executions that can never finish."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flyteidl.admin import workflow_pb2
from flyteidl.core import literals_pb2
from sqlalchemy import select

from latchlike.engine.loop import FULL_PASS_SECONDS
from latchlike.platform import Platform
from latchlike.specs.ids import ResourceKind
from latchlike.specs.tables import EntityRow
from tests.engine.running import attempts, int_output, launch, run_until_done

pytestmark = pytest.mark.slow


def test_an_ordering_only_chain_runs_in_the_order_it_declares(registered: Platform, tmp_path: Path) -> None:
    """`first >> middle >> last`, with the nodes called (and numbered) last, first, middle."""
    journal = tmp_path / "journal.txt"
    started = time.monotonic()
    execution = run_until_done(registered, launch(registered, "pipelines.kinds.ordered", {"journal": str(journal)}))
    assert execution.phase == "SUCCEEDED", execution.error
    # Each node starts as soon as the one it waits for ends, not at the engine's next full pass.
    assert time.monotonic() - started < FULL_PASS_SECONDS
    assert journal.read_text().split() == ["first", "second", "third"]
    assert attempts(registered, execution) == [("n0", 1, "SUCCEEDED"), ("n1", 1, "SUCCEEDED"), ("n2", 1, "SUCCEEDED")]


def test_an_echo_task_passes_its_input_on_without_a_process(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.kinds.echoed", {"x": 5}))
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 20
    echo = f"executions/flytesnacks/development/{execution.name}/n1/1"
    assert registered.store.exists(echo + "/inputs.pb") and not registered.store.exists(echo + "/raw")
    with registered.store.open(echo + "/outputs.pb") as raw:
        outputs = literals_pb2.LiteralMap.FromString(raw.read())
    assert outputs.literals["o0"].scalar.primitive.integer == 10


def test_an_execution_that_can_never_finish_fails_naming_its_stuck_nodes(registered: Platform) -> None:
    """A registered workflow made cyclic behind registration's back (n0 ← n1 ← n0)."""
    with registered.db.session() as session:
        row = session.scalars(
            select(EntityRow).where(EntityRow.name == "pipelines.basic.fan", EntityRow.kind == ResourceKind.WORKFLOW)
        ).one()
        closure = workflow_pb2.WorkflowClosure.FromString(row.compiled)
        nodes = closure.compiled_workflow.primary.template.nodes
        nodes[0].upstream_node_ids.append(nodes[-1].id)
        row.compiled = closure.SerializeToString()
    execution = run_until_done(registered, launch(registered, "pipelines.basic.fan", {"x": 1}))
    assert execution.phase == "FAILED"
    assert execution.error is not None and "stuck" in execution.error
    waiting = [node.id for node in nodes]
    assert all(node_id in execution.error for node_id in waiting), execution.error
    assert attempts(registered, execution) == []


def test_bindings_into_dataclass_fields_optionals_lists_and_dicts_register_and_run(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.kinds.picked", {"n": 3}))
    assert execution.phase == "SUCCEEDED", execution.error
    assert execution.outputs is not None
    output = literals_pb2.LiteralMap.FromString(execution.outputs).literals["o0"].scalar.primitive.string_value
    assert output == "3 sample0 3 9 [('doubled', 6)]"
