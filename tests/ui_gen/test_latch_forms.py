"""What the Latch SDK's parameter metadata does to the form of a ported workflow."""

from __future__ import annotations

from tests.ui_gen.latch_ports import EveryFile, ported_interface
from ui_gen.form import build_form
from ui_gen.validate import FormValidator

READS = {"read1": "s3://b/r1.fq", "read2": "s3://b/r2.fq", "sample_name": "S1"}


def test_an_output_directory_need_not_exist_yet() -> None:
    """`output: true` (Latch's LatchOutputDir): the workflow creates it."""
    form = build_form(ported_interface("wf", "assemble"), title="assemble")
    assert form.field("output_directory").output and not form.field("read1").output
    outcome = FormValidator(form).validate({**READS, "output_directory": "s3://b/results/new"}, EveryFile())
    assert outcome.ok, outcome.errors
    missing = FormValidator(form).validate({**READS, "read1": "s3://b/r1.fq", "output_directory": ""}, EveryFile())
    assert "output_directory" in missing.errors


def test_latch_fields_carry_their_labels_help_sections_and_rules() -> None:
    form = build_form(ported_interface("wf", "assemble"), title="assemble")
    assert form.title == "Assemble and Sort FastQ Files"
    read1 = form.field("read1")
    assert (read1.label, read1.placeholder) == ("Read 1", "Select a FASTQ file")
    assert read1.help == "Forward reads (.fastq, .fq)"  # comment, then detail
    assert [s.title for s in form.sections] == ["Sample reads", "Outputs", "Advanced"]
    assert form.field("notes").widget == "textarea"  # hidden, in Advanced, as a paragraph
    assert "Only .fastq or .fq files" in FormValidator(form).validate(
        {**READS, "read1": "s3://b/r1.bam", "output_directory": "s3://b/out"}, EveryFile()
    ).errors.get("read1", "")


def test_a_latch_multiselect_of_an_enum_list_is_a_multiselect() -> None:
    form = build_form(ported_interface("wf.samplesheet", "variants"), title="variants")
    assert form.field("callers").widget == "multiselect"
    assert form.field("callers").options == ("gatk", "deepvariant")
    assert form.field("samples").widget == "samplesheet"
