"""Names people read: a workflow's title, and an input's path in words ("Samples, row 3,
Read 2") where the form's keys say `samples.2.r2`."""

from __future__ import annotations

from ui_gen.form import Field, Form
from ui_gen.metadata import WorkflowMetadata
from ui_gen.submission import CSV_SUFFIX


def humanise(identifier: str) -> str:
    """`pipelines.reads.align_sample` → `Align sample`: the last dotted part, words spaced."""
    words = identifier.rsplit(".", 1)[-1].replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else identifier


def workflow_title(metadata: WorkflowMetadata, name: str) -> str:
    """The metadata's display name, else the function's name in words."""
    return metadata.display_name or humanise(name)


def field_path(form: Form, key: str) -> str:
    """A form key (as errors are keyed) in the labels the form shows, rows counted from 1."""
    first, *rest = key.split(".")
    item: Field | None = next((f for f in form.fields if f.key == first), None)
    words = [_capitalised(item.label if item else first)]
    for part in rest:
        if item is None:
            words.append(part)
            continue
        if part.isdigit() and item.widget in ("list", "multiselect", "samplesheet", "dict"):
            noun = "row" if item.widget in ("samplesheet", "dict") else "item"
            words.append(f"{noun} {int(part) + 1}")
            item = item.children[0] if item.widget == "list" and item.children else item
            continue
        if part == CSV_SUFFIX and item.widget == "samplesheet":
            words.append("CSV import")
            continue
        child = next((c for c in item.children if c.key == part), None)
        if item.widget == "dict":
            words.append(part)  # "key" or "value" of the row, not their types' names
        elif child is not None and not (item.widget == "optional" and part == "value"):
            words.append(_capitalised(child.label))
        item = child
    return ", ".join(words)


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]
