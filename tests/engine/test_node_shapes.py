"""Sub-workflows, conditionals, map tasks and directories run as flytekit runs them locally."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest
from flyteidl.core import literals_pb2
from sqlalchemy import select

from latchlike.executions.tables import NodeExecutionRow
from latchlike.platform import Platform
from tests.engine.running import ENGINE_PROJECT, int_output, launch, run_until_done


@pytest.fixture
def shapes(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The same workflows, for flytekit's own local execution in this process."""
    monkeypatch.syspath_prepend(str(ENGINE_PROJECT))
    return importlib.import_module("pipelines.shapes")


def _nodes(platform: Platform, execution_id: int) -> dict[str, tuple[str, str, str | None]]:
    """Latest attempt per node path: (kind, phase, parent)."""
    with platform.db.session() as session:
        of_execution = NodeExecutionRow.execution_id == execution_id
        rows = session.scalars(select(NodeExecutionRow).where(of_execution).order_by(NodeExecutionRow.attempt))
        return {row.node_id: (row.kind, row.phase, row.parent_id) for row in rows}


@pytest.mark.slow
def test_a_sub_workflow_runs_its_tasks_inside_its_node(registered: Platform, shapes: ModuleType) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.nested", {"x": 3}), warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == shapes.nested(x=3) == 15
    assert _nodes(registered, execution.id) == {
        "n0": ("workflow", "SUCCEEDED", None),
        "n0-0-n0": ("task", "SUCCEEDED", "n0"),
        "n0-0-n1": ("task", "SUCCEEDED", "n0"),
        "n1": ("task", "SUCCEEDED", None),
    }


@pytest.mark.slow
@pytest.mark.parametrize(("x", "case"), [(5, "n0-0-n0"), (-4, "n0-0-n1")])
def test_a_conditional_runs_only_the_case_its_condition_picks(
    registered: Platform, shapes: ModuleType, x: int, case: str
) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.sign", {"x": x}), warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == shapes.sign(x=x)
    assert _nodes(registered, execution.id) == {"n0": ("branch", "SUCCEEDED", None), case: ("task", "SUCCEEDED", "n0")}


@pytest.mark.slow
def test_a_conditional_with_no_matching_case_fails_with_its_message(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.sign", {"x": 0}))
    assert execution.phase == "FAILED"
    assert execution.error is not None and "zero has no sign" in execution.error
    assert _nodes(registered, execution.id) == {"n0": ("branch", "FAILED", None)}


@pytest.mark.slow
def test_a_map_task_over_50_items_runs_one_task_per_item(registered: Platform, shapes: ModuleType) -> None:
    xs = list(range(50))
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.squares", {"xs": xs}), warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == shapes.squares(xs=xs) == sum(x * x for x in xs)
    nodes = _nodes(registered, execution.id)
    assert nodes.pop("n0") == ("array", "SUCCEEDED", None)
    assert nodes.pop("n1") == ("task", "SUCCEEDED", None)
    assert nodes == {f"n0-{i}": ("item", "SUCCEEDED", "n0") for i in range(50)}
    # The array node's outputs are the items' outputs in order, what the next task was given.
    with registered.store.open(f"executions/flytesnacks/development/{execution.name}/n0/1/outputs.pb") as raw:
        squares = literals_pb2.LiteralMap.FromString(raw.read()).literals["o0"].collection.literals
    assert [item.scalar.primitive.integer for item in squares] == [x * x for x in xs]


@pytest.mark.slow
def test_an_empty_list_maps_to_no_tasks(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.squares", {"xs": []}))
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 0


@pytest.mark.slow
def test_a_directory_passes_between_tasks(registered: Platform, shapes: ModuleType) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.folders", {"n": 3}), warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == shapes.folders(n=3) == 6


@pytest.mark.slow
def test_a_dynamic_task_runs_the_workflow_it_answers_with(registered: Platform, shapes: ModuleType) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.samples", {"n": 4}), warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == shapes.samples(n=4) == 0 + 1 + 4 + 9 + 4
    nodes = _nodes(registered, execution.id)
    assert nodes.pop("n0") == ("dynamic", "SUCCEEDED", None)
    assert nodes.pop("n1") == ("task", "SUCCEEDED", None)
    assert nodes == {f"n0-0-dn{i}": ("task", "SUCCEEDED", "n0") for i in range(5)}  # four squares and a total


@pytest.mark.slow
def test_a_map_task_may_lose_items_within_its_success_ratio(registered: Platform) -> None:
    xs = [1, 2, 3, 4, 5, 6]  # 3 and 6 fail: 4 of 6 pass, more than half
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.tolerant", {"xs": xs}), warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    assert int_output(execution) == 4
    nodes = _nodes(registered, execution.id)
    assert [path for path, (_, phase, _) in nodes.items() if phase == "FAILED"] == ["n0-2", "n0-5"]


@pytest.mark.slow
def test_a_map_task_fails_when_an_item_fails_and_says_which(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.strict", {"xs": [1, 2, 3]}), warm=True)
    assert execution.phase == "FAILED"
    assert execution.error is not None
    assert "1 of 3 items failed; first item 2" in execution.error and "sample 3 failed QC" in execution.error
