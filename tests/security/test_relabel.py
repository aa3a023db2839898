"""Defaults and values of file fields are shown by their project path: lists, sheets,
optionals and maps of files included (what `rows_default` and the default summary show)."""

from __future__ import annotations

from ui_gen.form import Field, Form, Section
from ui_gen.render import default_flat, default_summary
from ui_gen.schema import TypeSpec
from ui_gen.submission import relabel_defaults, relabel_files

STORE = "/srv/latchlike/store/files/lab/"
FILE = Field(key="item", label="item", widget="file", type=TypeSpec("file"))
SHEET = (Field(key="sample", label="sample", widget="text", type=TypeSpec("str")), Field(
    key="fastq", label="fastq", widget="file", type=TypeSpec("file")))  # fmt: skip
FORM = Form(title="t", sections=(Section(title="", fields=(
    Field(key="reads", label="Reads", widget="list", type=TypeSpec("list"), required=False, children=(FILE,),
          default=[STORE + "a.fq", STORE + "b.fq"]),
    Field(key="sheet", label="Sheet", widget="samplesheet", type=TypeSpec("list"), required=False, children=SHEET,
          default=[{"sample": STORE + "x", "fastq": STORE + "c.fq"}]),
    Field(key="maybe", label="Maybe", widget="optional", type=TypeSpec("optional"), required=False,
          children=(FILE,), default=STORE + "d.fq"),
    Field(key="note", label="Note", widget="text", type=TypeSpec("str"), required=False, default=STORE + "e"),
)),))  # fmt: skip


def label(uri: str) -> str:
    return uri.removeprefix(STORE)


def test_file_defaults_are_relabelled_and_nothing_else() -> None:
    shown = relabel_defaults(FORM, label)
    reads, sheet, maybe, note = shown.fields
    assert reads.default == ["a.fq", "b.fq"] and default_summary(reads) == "a.fq, b.fq"
    assert default_flat(reads, "reads") == {"reads.0": ["a.fq"], "reads.1": ["b.fq"]}
    assert sheet.default == [{"sample": STORE + "x", "fastq": "c.fq"}]  # a text column is not a file
    assert maybe.default == "d.fq" and note.default == STORE + "e"
    assert FORM.fields[0].default == [STORE + "a.fq", STORE + "b.fq"]  # the cached form is untouched


def test_file_values_are_relabelled_and_nothing_else() -> None:
    flat = {"reads.0": [STORE + "a.fq"], "sheet.0.fastq": [STORE + "c.fq"], "sheet.0.sample": [STORE + "x"],
            "maybe.value": [STORE + "d.fq"], "note": [STORE + "e"], "unknown.field": [STORE + "f"]}  # fmt: skip
    assert relabel_files(FORM, flat, label) == flat | {
        "reads.0": ["a.fq"],
        "sheet.0.fastq": ["c.fq"],
        "maybe.value": ["d.fq"],
    }
