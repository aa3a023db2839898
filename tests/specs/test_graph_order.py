"""The order the engine walks a template in, and the cycle registration names: pure."""

from __future__ import annotations

from latchlike.specs.graph_check import find_cycle, topological_order


def test_upstream_comes_first_and_ties_keep_the_template_order() -> None:
    # As `ordered` in the engine fixtures: called last, first, middle; `first >> middle >> last`.
    assert topological_order({"n0": {"n2"}, "n1": set(), "n2": {"n1"}}) == ["n1", "n2", "n0"]
    assert topological_order({"a": set(), "b": set(), "c": {"a"}, "d": set()}) == ["a", "b", "c", "d"]


def test_nodes_that_can_never_be_ready_come_last_in_template_order() -> None:
    upstream = {"n0": {"n1"}, "n1": {"n0"}, "n2": set(), "n3": {"n9"}, "n4": {"n2"}}
    assert topological_order(upstream) == ["n2", "n4", "n0", "n1", "n3"]


def test_the_cycle_named_is_one_the_nodes_wait_around() -> None:
    assert find_cycle({"n0": {"n1"}, "n1": {"n0"}}) == ["n0", "n1", "n0"]
    assert find_cycle({"s": set(), "a": {"s", "c"}, "b": {"a"}, "c": {"b"}, "d": {"c"}}) == ["a", "c", "b", "a"]
    assert find_cycle({"n0": {"n0"}}) == ["n0", "n0"]
    assert find_cycle({"n0": set(), "n1": {"n0"}}) == []
