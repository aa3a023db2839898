"""The widget-matrix workflow, really serialized by flytekit and registered, read back as a form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from latchlike.launches.forms import LaunchForm
from ui_gen.form import Field
from ui_gen.schema import Chosen

SIGNATURE = [
    "run_name", "threads", "samples", "reads", "trimming", "limits", "ratio", "paired", "started", "timeout",
    "strand", "strands", "seed", "label", "lanes", "tags", "outdir", "notes", "debug",
]  # fmt: skip


def _fields(matrix: LaunchForm) -> dict[str, Field]:
    return {f.key: f for f in matrix.form.fields}


def test_inputs_keep_the_signature_order(matrix: LaunchForm) -> None:
    assert [p.name for p in matrix.interface.inputs] == SIGNATURE


def test_every_type_gets_its_widget(matrix: LaunchForm) -> None:
    widgets = {key: f.widget for key, f in _fields(matrix).items()}
    assert widgets == {
        "run_name": "text", "threads": "number", "samples": "samplesheet", "reads": "file", "trimming": "group",
        "limits": "group", "ratio": "number", "paired": "checkbox", "started": "datetime", "timeout": "duration",
        "strand": "select", "strands": "multiselect", "seed": "optional", "label": "union", "lanes": "list",
        "tags": "dict", "outdir": "optional", "notes": "textarea", "debug": "checkbox",
    }  # fmt: skip
    fields = _fields(matrix)
    assert fields["reads"].type.blob_format == "fastq"
    assert fields["outdir"].children[0].widget == "directory"
    assert [c.widget for c in fields["label"].children] == ["number", "text"]
    assert fields["tags"].children[1].widget == "number"
    assert fields["strand"].options == ("forward", "reverse", "both")


def test_nested_records_keep_declaration_order_at_any_depth(matrix: LaunchForm) -> None:
    fields = _fields(matrix)
    trimming = fields["trimming"]
    assert [c.key for c in trimming.children] == ["adapter", "window", "strand"]
    assert [c.key for c in trimming.children[1].children] == ["size", "step"]
    assert [c.key for c in fields["samples"].children] == ["sample", "fastq", "replicate"]
    assert fields["samples"].children[1].type.blob_format == "fastq"


def test_pydantic_bounds_become_min_and_max(matrix: LaunchForm) -> None:
    limits = {c.key: c for c in _fields(matrix)["limits"].children}
    assert limits["min_quality"].attrs == {"step": "1", "min": "0", "max": "60"}
    assert limits["max_n_fraction"].attrs["max"] == "1"


def test_required_only_without_a_default_and_never_for_optional(matrix: LaunchForm) -> None:
    required = {p.name for p in matrix.interface.inputs if p.required}
    assert required == {"run_name", "threads", "samples", "reads", "trimming"}
    assert "required" in _fields(matrix)["threads"].attrs
    assert "required" not in _fields(matrix)["ratio"].attrs


def test_defaults_arrive_typed(matrix: LaunchForm) -> None:
    defaults = matrix.defaults()
    assert defaults["limits"] == {"min_quality": 20, "max_n_fraction": 0.1}
    assert defaults["started"] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert defaults["timeout"] == timedelta(minutes=5)
    assert defaults["strands"] == ["forward"]
    assert defaults["seed"] is None and defaults["outdir"] is None
    assert defaults["label"] == Chosen(1, "auto")
    assert defaults["lanes"] == [1, 2] and defaults["tags"] == {"depth": 30.0}
    assert defaults["trimming"] == {"window": {"size": 100, "step": 10}, "strand": "both"}


def test_docstring_metadata_drives_labels_sections_and_rules(matrix: LaunchForm) -> None:
    fields = _fields(matrix)
    assert fields["run_name"].label == "Run name"
    assert fields["run_name"].placeholder == "e.g. run-001"
    assert fields["run_name"].help == "A name for this run."
    assert [r.message for r in fields["run_name"].rules] == ["use lowercase letters, digits and dashes"]
    assert fields["samples"].label == "Samplesheet"
    sections = [(s.title, [f.key for f in s.fields], s.advanced) for s in matrix.form.sections]
    assert sections == [
        ("", ["run_name", "threads"], False),
        ("Samples", ["samples", "reads"], False),
        ("Settings", SIGNATURE[4:-1], False),
        ("Advanced", ["debug"], True),
    ]


def test_workflow_metadata_is_parsed_and_stripped_from_the_description(matrix: LaunchForm) -> None:
    meta = matrix.interface.metadata
    assert matrix.form.title == "Widget matrix"
    assert meta.author.name == "Rosalind Franklin"
    assert (meta.license, meta.tags, meta.repository) == ("MIT", ("qc", "test"), "https://example.org/matrix")
    assert "**Markdown**" in matrix.interface.description
    assert "__metadata__" not in matrix.interface.description
    for parameter in matrix.interface.inputs:
        assert "__metadata__" not in parameter.description and "display_name" not in parameter.description
