"""Names people read: workflow titles and input paths in the form's own labels."""

from __future__ import annotations

from tests.ui_gen.latch_ports import ported_interface
from ui_gen.form import build_form
from ui_gen.metadata import WorkflowMetadata
from ui_gen.names import field_path, humanise, workflow_title


def test_a_workflow_is_titled_by_its_display_name_else_its_function_in_words() -> None:
    assert workflow_title(WorkflowMetadata(display_name="Variant calling"), "wf.samplesheet.variants") == (
        "Variant calling"
    )
    assert workflow_title(WorkflowMetadata(), "pipelines.reads.align_sample") == "Align sample"
    assert humanise("wf.__init__.assemble") == "Assemble"


def test_error_keys_read_as_labels_with_rows_counted_from_one() -> None:
    assemble = build_form(ported_interface("wf", "assemble"), title="assemble")
    assert field_path(assemble, "read2") == "Read 2"
    variants = build_form(ported_interface("wf.samplesheet", "variants"), title="variants")
    assert field_path(variants, "samples.2.fastq") == "Samples, row 3, Fastq"
    assert field_path(variants, "samples.csv") == "Samples, CSV import"
    assert field_path(variants, "callers.0") == "Variant callers, item 1"
    assert field_path(variants, "nonexistent.1") == "Nonexistent, 1"
