"""Time to render a 40-parameter launch form with nested types, and to validate a submission.

Usage: python bench/form_render.py [--iterations N]

Both with and without a Latch `flow:` layout (section → spoiler → fork).

The workflow is generated, serialized by flytekit in a child process and read back the
way the server reads a registration (interface, launch-plan defaults, source hints). The
form and its validator are built once, as the server caches them per version; what is
timed is the per-request work. Baselines in the same run: "plain-inputs" renders one bare
`<input>` per leaf field with Jinja2; "flat-pydantic" validates a flat pydantic model with
one str field per leaf. Targets: render < 20 ms, validate < 5 ms (medians).
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2
from pydantic import create_model
from serialization import serialize
from timing import measure, report

from ui_gen.adapters.flyteidl import interface_spec
from ui_gen.form import Field, Form, build_form
from ui_gen.render import install
from ui_gen.schema import InterfaceSpec
from ui_gen.source import source_hints
from ui_gen.submission import flatten, unflatten
from ui_gen.validate import FormValidator

RENDER_TARGET_MS = 20.0
VALIDATE_TARGET_MS = 5.0
MODULE = "benchforms.wide"
HEADER = """
import datetime
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import Optional, Union

from flytekit import task, workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile


class Mode(Enum):
    FAST = "fast"
    SLOW = "slow"


@dataclass
class Leaf:
    depth: int = 1
    name: str = "leaf"


@dataclass
class Middle:
    leaf: Leaf = field(default_factory=Leaf)
    ratio: float = 0.5
    mode: Mode = Mode.FAST


@dataclass
class Outer:
    label: str
    middle: Middle = field(default_factory=Middle)
    tags: list[str] = field(default_factory=list)


@dataclass
class Row:
    sample: str
    reads: FlyteFile[typing.TypeVar("fastq")]
    replicate: int = 1


@task
def noop(x: int) -> int:
    return x
"""
# 40 parameters: 8 kinds of simple inputs ×4, then 8 structured ones.
SIMPLE = [("int", "{i}"), ("float", "{i}.5"), ("str", '"s{i}"'), ("bool", "False"), ("Mode", "Mode.FAST"),
          ("Optional[int]", "None"), ("Union[int, str]", "{i}"), ("list[int]", "[{i}, {i}]")]  # fmt: skip
STRUCTURED = [
    "o1: Outer", "o2: Outer", "o3: Outer", "sheet: list[Row]", "reads: FlyteFile[typing.TypeVar('fastq')]",
    "outdir: FlyteDirectory", "when: datetime.datetime", "weights: dict[str, float] = {'a': 1.0}",
]  # fmt: skip


# The same workflow laid out by a Latch `flow:` three levels deep: section → spoiler → fork.
FLOW = """
    __metadata__:
      display_name: Wide, laid out
      flow:
      - title: Wide
      - section: Records
        flow:
        - text: Records, a *samplesheet* and files.
        - params: [o1, o2, o3, sheet, reads, outdir, when, weights]
        - spoiler: Simple inputs
          flow:
          - params: [p0_0, p1_0, p3_0, p4_0, p5_0, p6_0, p7_0, p0_1, p1_1, p2_1, p3_1, p4_1, p5_1, p6_1, p7_1]
          - fork: p2_0
            display_name: Which set
            flows:
              s0:
                display_name: Set two
                flow:
                - params: [p0_2, p1_2, p2_2, p3_2, p4_2, p5_2, p6_2, p7_2]
              other:
                display_name: Set three
                flow:
                - params: [p0_3, p1_3, p2_3, p3_3, p4_3, p5_3, p6_3, p7_3]
"""


def write_module(root: Path, name: str, *, flow: bool) -> str:
    package = root / "benchforms"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    simple = [f"p{n}_{i}: {kind} = {default.format(i=i)}" for i in range(4) for n, (kind, default) in enumerate(SIMPLE)]
    parameters = ",\n    ".join(STRUCTURED + simple)
    doc = f'    """A wide workflow.\n{FLOW}    """\n' if flow else ""
    source = HEADER + f"\n\n@workflow\ndef wide(\n    {parameters},\n) -> int:\n{doc}    return noop(x=1)\n"
    (package / f"{name}.py").write_text(source)
    return source


@dataclass(frozen=True)
class Entry:
    uri: str
    path: str
    is_directory: bool = False

    @property
    def name(self) -> str:
        return PurePosixPath(self.uri).name


class Catalog:
    """An in-memory file store of 20 FASTQ files and one folder."""

    def __init__(self) -> None:
        files = [Entry(f"file:///data/run/r{i}.fastq.gz", f"run/r{i}.fastq.gz") for i in range(20)]
        self.entries = {entry.uri: entry for entry in files}
        self.entries["file:///data/run"] = Entry("file:///data/run", "run", is_directory=True)

    def lookup(self, uri: str) -> Entry | None:
        return self.entries.get(uri)


def submission(form: Form, defaults: dict[str, object]) -> dict[str, list[str]]:
    flat = flatten(form, defaults)
    reads = "file:///data/run/r1.fastq.gz"
    for i in (1, 2, 3):
        flat[f"o{i}.label"] = [f"outer {i}"]
    flat |= {"reads": [reads], "outdir": ["file:///data/run"], "when": ["2024-05-06T07:08:09"]}
    for row in range(3):
        flat |= {f"sheet.{row}.sample": [f"S{row}"], f"sheet.{row}.reads": [reads], f"sheet.{row}.replicate": ["2"]}
    return flat


def leaves(fields: tuple[Field, ...]) -> int:
    return sum(leaves(f.children) if f.children and f.widget != "multiselect" else 1 for f in fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sources = {
            f"benchforms.{name}": write_module(root, name, flow=name == "laid_out") for name in ("wide", "laid_out")
        }
        serialized = serialize(root, "benchforms", root / "pb", project="p")
    for workflow, plan in zip(serialized.workflows, serialized.launch_plans, strict=True):
        module = workflow.template.id.name.rsplit(".", 1)[0]
        interface = interface_spec(
            workflow.template.interface,
            plan.spec.default_inputs,
            long_description=workflow.description.long_description.value,
            hints=source_hints(sources, module, "wide"),
        )
        run(interface, args.iterations, "" if module == MODULE else " (3-level flow)")


def run(interface: InterfaceSpec, iterations: int, variant: str) -> None:
    form = build_form(interface, title="wide")
    validator = FormValidator(form)
    catalog = Catalog()
    defaults = {p.name: p.default for p in interface.inputs if not p.required}
    prefill = flatten(form, defaults)
    posted = submission(form, defaults)
    outcome = validator.validate(unflatten(form, posted)[0], catalog)
    if not outcome.ok:
        raise SystemExit(f"the benchmark's submission is invalid: {outcome.errors}")
    field_count = leaves(form.fields)

    env = jinja2.Environment(autoescape=True)
    install(env)
    template = env.from_string(
        '{% from "ui_gen/form.html" import render_form %}{{ render_form(form, flat, {}, picker_url, "/launch") }}'
    )
    plain = env.from_string('{% for name in names %}<input name="{{ name }}" value="{{ name }}">{% endfor %}')
    names = [f"field{i}" for i in range(field_count)]
    flat_model = create_model("Flat", **{name: (str, ...) for name in names})  # type: ignore[call-overload]
    flat_values = {name: "value" for name in names}

    def picker_url(item: Field) -> str:
        return f"/api/files/bench/candidates?kind={item.widget}&format={item.type.blob_format}"

    rendered = measure(iterations, lambda i: template.render(form=form, flat=prefill, picker_url=picker_url))
    validated = measure(iterations, lambda i: validator.validate(unflatten(form, posted)[0], catalog))
    plain_rendered = measure(iterations, lambda i: plain.render(names=names))
    flat_validated = measure(iterations, lambda i: flat_model.model_validate(flat_values))

    html = template.render(form=form, flat=prefill, picker_url=picker_url)
    print(f"Launch form of a {len(interface.inputs)}-parameter workflow{variant}: {field_count} leaf fields, "
          f"{len(html) // 1024} KiB of HTML, {iterations} iterations")  # fmt: skip
    render_ms = report(f"latchlike: render form{variant}", rendered)
    validate_ms = report(f"latchlike: validate submission{variant}", validated)
    report("baseline plain-inputs (render)", plain_rendered)
    report("baseline flat-pydantic (validate)", flat_validated)
    print(f"target render < {RENDER_TARGET_MS:.0f} ms: {'PASS' if render_ms < RENDER_TARGET_MS else 'FAIL'}")
    print(f"target validate < {VALIDATE_TARGET_MS:.0f} ms: {'PASS' if validate_ms < VALIDATE_TARGET_MS else 'FAIL'}")


if __name__ == "__main__":
    main()
