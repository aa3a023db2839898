"""Latch-style `__metadata__:` blocks as flytekit stores them in descriptions."""

from __future__ import annotations

import pytest

from ui_gen.errors import FormSpecError
from ui_gen.metadata import parameter_metadata, split_metadata, workflow_metadata
from ui_gen.source import source_hints


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


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("display_nmae: Reads", "display_nmae: Extra inputs are not permitted"),
        ("rules:\n  - regex: '[a-'\n    message: bad", "does not compile"),
        ("appearance: carousel", "appearance: Input should be 'line', 'paragraph' or 'multiselect'"),
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
