"""Latch's `flow:` lays out the form, and a fork decides which parameters are asked for,
on the ported fastp tutorial whose docstring the Latch SDK wrote."""

from __future__ import annotations

import pytest

from tests.ui_gen.latch_ports import EveryFile, ported_interface
from ui_gen.form import Form, build_form
from ui_gen.layout import OTHERS, Choice, Fields, Heading, Markdown, Panel
from ui_gen.schema import InterfaceSpec
from ui_gen.submission import REQUIRED
from ui_gen.validate import FormValidator


@pytest.fixture(scope="module")
def fastp() -> tuple[InterfaceSpec, Form]:
    interface = ported_interface("wf.flow", "fastp")
    return interface, build_form(interface, title="fastp")


def test_the_flow_lays_out_the_form(fastp: tuple[InterfaceSpec, Form]) -> None:
    _, form = fastp
    title, samples, quality, output = form.layout
    assert title == Heading("fastp")
    assert isinstance(samples, Panel) and samples.title == "Samples" and not samples.collapsed
    text, fork = samples.blocks
    assert isinstance(text, Markdown) and isinstance(fork, Choice)
    assert [(b.value, b.label, b.blocks) for b in fork.branches] == [
        ("paired_end", "Paired-end", (Fields(("paired_end",)),)),
        ("single_end", "Single-end", (Fields(("single_end",)),)),
    ]
    assert isinstance(quality, Panel) and quality.blocks[-1] == Fields(("quality_threshold",))
    assert isinstance(output, Panel) and output.collapsed  # a spoiler
    assert form.field("sample_fork").options == ("paired_end", "single_end")


def test_the_branch_not_chosen_is_not_asked_for(fastp: tuple[InterfaceSpec, Form]) -> None:
    _, form = fastp
    validator = FormValidator(form)
    paired = {"name": "s1", "read1": "s3://b/r1.fq", "read2": "s3://b/r2.fq"}
    outcome = validator.validate({"sample_fork": "paired_end", "paired_end": paired}, EveryFile())
    assert outcome.ok, outcome.errors
    assert outcome.values["single_end"] is None and outcome.values["quality_threshold"] == 15
    # A value left in the branch not chosen is dropped, not checked.
    dropped = validator.validate(
        {"sample_fork": "paired_end", "paired_end": paired, "single_end": {"name": 3}}, EveryFile()
    )
    assert dropped.ok and dropped.values["single_end"] is None


def test_the_chosen_branch_is_required_and_the_choice_too(fastp: tuple[InterfaceSpec, Form]) -> None:
    validator = FormValidator(fastp[1])
    assert validator.validate({"sample_fork": "paired_end"}, EveryFile()).errors == {"paired_end": REQUIRED}
    assert validator.validate({}, EveryFile()).errors == {"sample_fork": REQUIRED}
    assert "sample_fork" in validator.validate({"sample_fork": "both"}, EveryFile()).errors


def test_a_branch_that_leaves_out_a_parameter_with_no_default_is_refused_on_the_fork(
    fastp: tuple[InterfaceSpec, Form],
) -> None:
    """Latch's tutorial types `paired_end` without Optional: Single-end cannot run it."""
    single = {"name": "s1", "read1": "s3://b/r1.fq"}
    errors = FormValidator(fastp[1]).validate({"sample_fork": "single_end", "single_end": single}, EveryFile()).errors
    assert errors == {
        "sample_fork": "Paired-end reads has no default, so the workflow needs it even in a branch not chosen"
    }


def test_parameters_outside_the_flow_come_after_it(fastp: tuple[InterfaceSpec, Form]) -> None:
    interface, _ = fastp
    flow = interface.metadata.flow[:1]  # only the title: every parameter is left out
    partial = InterfaceSpec(interface.inputs, interface.outputs, interface.metadata.model_copy(update={"flow": flow}))
    others = build_form(partial, title="fastp").layout[-1]
    assert isinstance(others, Panel) and others.title == OTHERS and not others.collapsed  # sample_fork is required
    assert others.blocks == (Fields(tuple(p.name for p in interface.inputs)),)


def test_the_layout_is_in_the_json_schema_for_other_clients(fastp: tuple[InterfaceSpec, Form]) -> None:
    layout = FormValidator(fastp[1]).json_schema()["x-layout"]
    assert [block["kind"] for block in layout] == ["heading", "panel", "panel", "panel"]
    fork = layout[1]["blocks"][1]
    assert fork["kind"] == "choice" and fork["field"] == "sample_fork" and fork["title"] == "Choose read type"
    assert fork["branches"]["single_end"] == {
        "title": "Single-end",
        "blocks": [{"kind": "fields", "fields": ["single_end"]}],
    }
    assert layout[3]["collapsed"] is True
