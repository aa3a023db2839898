"""Latch-style `__metadata__:` blocks as flytekit stores them in descriptions, including
every docstring the real Latch SDK wrote (tests/fixtures/latch/docstrings)."""

from __future__ import annotations

from pathlib import Path

import docstring_parser
import pytest
from flyteidl.core import interface_pb2, types_pb2

from ui_gen.adapters.flyteidl import interface_spec
from ui_gen.errors import FormSpecError
from ui_gen.flow import Fork, Params, Section, Spoiler, Text, Title, named_parameters
from ui_gen.metadata import parameter_metadata, split_metadata, workflow_metadata
from ui_gen.source import source_hints

LATCH_DOCSTRINGS = Path(__file__).parents[1] / "fixtures" / "latch" / "docstrings"


def _latch(name: str) -> docstring_parser.Docstring:
    """Parsed the way flytekit parses a workflow's docstring at registration."""
    return docstring_parser.parse((LATCH_DOCSTRINGS / f"{name}.txt").read_text())


def test_text_and_metadata_are_split() -> None:
    text, raw = split_metadata("Reads to trim.\n__metadata__:\ndisplay_name: Reads\nhidden: true")
    assert text == "Reads to trim."
    assert raw == {"display_name": "Reads", "hidden": True}


def test_no_block_means_no_metadata() -> None:
    assert split_metadata("  Just text.  ") == ("Just text.", {})


def test_latch_nests_appearance_and_license() -> None:
    _, meta = parameter_metadata(
        "notes", "Free text.\n__metadata__:\nappearance:\n  type: paragraph\n  placeholder: say something\n"
    )
    assert (meta.appearance, meta.placeholder) == ("paragraph", "say something")
    _, workflow = workflow_metadata("About.\n\n__metadata__:\n    license:\n        id: MIT\n")
    assert workflow.license == "MIT"


@pytest.mark.parametrize("name", sorted(path.stem for path in LATCH_DOCSTRINGS.glob("*.txt")))
def test_every_latch_sdk_docstring_parses(name: str) -> None:
    docstring = _latch(name)
    assert docstring.long_description is not None
    text, workflow = workflow_metadata(docstring.long_description)
    assert "__metadata__" not in text
    assert docstring.params, "Latch writes every parameter under Args:"
    for parameter in docstring.params:
        assert parameter.description is not None
        text, _ = parameter_metadata(parameter.arg_name, parameter.description)
        assert "__metadata__" not in text and "display_name" not in text
    assert set(named_parameters(workflow.flow)) <= {p.arg_name for p in docstring.params}


def test_assemble_reads_every_parameter_option() -> None:
    """The `latch init` shape: author without email or github (Latch writes null)."""
    docstring = _latch("assemble")
    text, workflow = workflow_metadata(docstring.long_description or "")
    assert text.startswith("# Assemble and sort")
    assert workflow.display_name == "Assemble and Sort FastQ Files"
    assert (workflow.author.name, workflow.author.email, workflow.author.github) == ("John von Neumann", "", "")
    assert (workflow.license, workflow.tags) == ("MIT", ("NGS", "assembly"))
    assert workflow.wiki_url == "https://example.org/wiki/assemble"
    assert workflow.video_tutorial == "https://example.org/video/assemble"
    assert "python_interface" in workflow.non_standard
    params = {p.arg_name: parameter_metadata(p.arg_name, p.description or "") for p in docstring.params}
    read1_text, read1 = params["read1"]
    assert read1_text == "Paired-end read 1 file to be assembled."
    assert (read1.display_name, read1.section_title, read1.placeholder) == (
        "Read 1",
        "Sample reads",
        "Select a FASTQ file",
    )
    assert (read1.comment, read1.detail, read1.file_type, read1.allow_dir) == (
        "Forward reads",
        "(.fastq, .fq)",
        "FILE",
        True,
    )
    assert read1.rules[0].regex == r"(\.fastq|\.fq)(\.gz)?$"
    assert params["notes"][1].hidden and params["notes"][1].appearance == "paragraph"
    assert params["output_directory"][1].section_title == "Outputs"


def test_unused_keys_are_notes_not_errors() -> None:
    _, workflow = workflow_metadata(_latch("variants").long_description or "")
    notes = workflow.notes()
    assert any(note.startswith("no_standard_bulk_execution = true") for note in notes)
    assert any(note.startswith("python_interface = ") for note in notes)
    samples = next(p for p in _latch("variants").params if p.arg_name == "samples")
    _, meta = parameter_metadata("samples", samples.description or "")
    assert meta.samplesheet and meta.allowed_tables == ("101", "202") and meta.custom_ingestion == "auto"
    assert [note.split(" = ")[0] for note in meta.notes()] == ["samplesheet", "allowed_tables", "custom_ingestion"]
    _, typo = parameter_metadata("reads", "Reads.\n__metadata__:\ndisplay_nmae: Reads")
    assert typo.notes() == ("display_nmae = Reads (not a key latchlike knows)",)


def test_flow_is_read_element_by_element() -> None:
    _, workflow = workflow_metadata(_latch("fastp").long_description or "")
    title, samples, quality, output = workflow.flow
    assert title == Title(title="fastp")
    assert isinstance(samples, Section) and isinstance(samples.flow[0], Text)
    fork = samples.flow[1]
    assert isinstance(fork, Fork) and fork.fork == "sample_fork" and list(fork.flows) == ["paired_end", "single_end"]
    assert fork.flows["paired_end"].flow == (Params(params=("paired_end",)),)
    assert isinstance(quality, Section) and isinstance(output, Spoiler)
    assert list(named_parameters(workflow.flow)) == [
        "sample_fork",
        "paired_end",
        "single_end",
        "quality_threshold",
        "output_directory",
    ]


def test_the_sdk_writes_null_for_what_is_unset() -> None:
    _, workflow = workflow_metadata(_latch("bare").long_description or "")
    assert (workflow.display_name, workflow.author.name, workflow.documentation) == ("bare", "", "")
    fork = next(p for p in _latch("fastp").params if p.arg_name == "sample_fork")
    assert parameter_metadata("sample_fork", fork.description or "")[1].display_name == ""


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("rules:\n  - regex: '[a-'\n    message: bad", "does not compile"),
        ("appearance: carousel", "appearance: Input should be 'line', 'paragraph' or 'multiselect'"),
        ("appearance:\n  file_type: SOMETIMES", "file_type: Input should be 'ANY', 'FILE', 'DIR' or 'NONE'"),
        ("- just\n- a list", "must be a YAML mapping"),
        ("display_name: [unclosed", "not valid YAML"),
        ("display_name: 2024-13-45", "not valid YAML: month must be in 1..12"),
        ("display_name: !!int abc", "not valid YAML"),
        ("display_name: " + "[" * 2000, "not valid YAML"),
    ],
)
def test_a_mistake_in_metadata_is_an_error_that_says_where(block: str, problem: str) -> None:
    with pytest.raises(FormSpecError) as error:
        parameter_metadata("reads", f"Reads.\n__metadata__:\n{block}")
    assert problem in str(error.value)
    assert "parameter 'reads'" in str(error.value)


def test_a_flow_element_that_is_not_one_is_an_error() -> None:
    with pytest.raises(FormSpecError, match="a flow element has one of"):
        workflow_metadata("About.\n__metadata__:\nflow:\n- carousel: x\n")


def test_the_ported_workflows_carry_the_sdk_docstrings_untouched() -> None:
    """The plain-flytekit ports registered by the slow tests keep Latch's text byte for byte."""
    sources = "".join(path.read_text() for path in LATCH_DOCSTRINGS.parent.glob("*project/wf/*.py"))
    for path in LATCH_DOCSTRINGS.glob("*.txt"):
        assert f'r"""{path.read_text()}"""' in sources, path.stem


def test_a_flow_naming_a_parameter_the_signature_lacks_is_refused() -> None:
    interface = interface_pb2.TypedInterface(
        inputs=interface_pb2.VariableMap(
            variables={"reads": interface_pb2.Variable(type=types_pb2.LiteralType(simple=types_pb2.SimpleType.STRING))}
        )
    )
    layout = "About.\n__metadata__:\nflow:\n- section: Inputs\n  flow:\n  - params: [reads, sample]\n"
    with pytest.raises(FormSpecError, match="names parameter\\(s\\) 'sample' that the workflow's signature does not"):
        interface_spec(interface, long_description=layout)
    assert [p.name for p in interface_spec(interface, long_description=layout.replace(", sample", "")).inputs] == [
        "reads"
    ]


def test_bad_yaml_in_a_signature_docstring_names_the_parameter() -> None:
    """Registration reads the docstrings in the code bundle too; the same error, not a crash."""
    module = '''
def wf(reads: str) -> None:
    """Run.

    Args:
        reads: The reads.
            __metadata__:
              display_name: 2024-13-45
    """
'''
    with pytest.raises(FormSpecError, match="parameter 'reads': its __metadata__ is not valid YAML"):
        source_hints({"pkg.mod": module}, "pkg.mod", "wf")
