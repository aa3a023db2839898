"""Submissions of the widget-matrix form: valid ones become exactly flytekit's LiteralMap;
invalid ones report every field and record nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from latchlike.executions.service import get_execution
from latchlike.executions.tables import ExecutionRow
from latchlike.files.catalog import StoreCatalog
from latchlike.launches.forms import LaunchForm
from latchlike.launches.service import launch_from_form, launch_from_json
from latchlike.platform import Platform
from tests.ui_gen.files import put_managed_file
from tests.ui_gen.flytekit_values import flytekit_literals, matrix_values
from ui_gen.submission import flatten, unflatten

PROJECT = "flytesnacks"


@pytest.fixture
def files(platform: Platform, tmp_path: Path) -> dict[str, str]:
    return {
        "reads": put_managed_file(platform.store, PROJECT, "runs/r1/reads.fastq.gz", b"@r\nACGT\n+\nIIII\n", tmp_path),
        "s1": put_managed_file(platform.store, PROJECT, "runs/r1/s1.fq", b"@s1\nA\n+\nI\n", tmp_path),
        "table": put_managed_file(platform.store, PROJECT, "runs/r1/table.csv", b"a,b\n", tmp_path),
        "outdir": platform.store.uri("files/flytesnacks/runs/r1"),
    }


def _flat(files: dict[str, str]) -> dict[str, list[str]]:
    return {
        "run_name": ["run-7"], "threads": ["4"],
        "samples.csv": [f"sample,fastq,replicate\nS1,{files['s1']},2\nS2,{files['reads']},\n"],
        "reads": [files["reads"]],
        "trimming.adapter": ["AGATCGGAAGAGC"], "trimming.window.size": ["50"], "trimming.window.step": ["5"],
        "trimming.strand": ["reverse"],
        "limits.min_quality": ["30"], "limits.max_n_fraction": ["0.05"],
        "ratio": ["0.25"], "paired": ["true"], "started": ["2024-05-06T07:08:09"], "timeout": ["90"],
        "strand": ["both"], "strands": ["forward", "reverse"], "seed.__none__": ["true"],
        "label.branch": ["0"], "label.b0": ["7"], "lanes.0": ["3"], "lanes.2": ["4"],
        "tags.0.key": ["depth"], "tags.0.value": ["12.5"], "tags.1.key": ["gc"], "tags.1.value": ["0.4"],
        "outdir.value": [files["outdir"]], "notes": ["line one\nline two"],
    }  # fmt: skip


def _executions(platform: Platform) -> int:
    with platform.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ExecutionRow)) or 0)


def test_a_valid_form_becomes_the_literal_map_pyflyte_run_would_pass(
    platform: Platform, matrix: LaunchForm, files: dict[str, str]
) -> None:
    catalog = StoreCatalog(platform.store, PROJECT)
    with platform.db.session() as session:
        result = launch_from_form(session, matrix, _flat(files), catalog)
    assert result.errors == {}
    assert result.execution is not None
    with platform.db.session() as session:
        execution = get_execution(session, result.execution)
    assert execution.phase == "QUEUED" and execution.source == "form"
    expected = flytekit_literals(matrix_values(files))
    assert set(execution.inputs.literals) == set(expected.literals)
    for name, literal in expected.literals.items():
        assert execution.inputs.literals[name] == literal, name


def test_every_bad_field_is_reported_and_nothing_is_recorded(
    platform: Platform, matrix: LaunchForm, files: dict[str, str]
) -> None:
    flat = _flat(files) | {
        "run_name": ["Run 7"], "threads": ["four"], "limits.min_quality": ["99"], "ratio": ["nan"],
        "strand": ["sideways"], "label.b0": ["x"], "lanes.2": ["1.5"], "lanes.3": [""], "tags.1.key": ["depth"],
        "trimming.adapter": [""], "reads": [files["table"]], "outdir.value": ["file:///etc"],
        "samples.csv": [f"sample,fastq\nS1,{files['table']}\n"], "started": ["yesterday"], "timeout": ["-3"],
    }  # fmt: skip
    catalog = StoreCatalog(platform.store, PROJECT)
    with platform.db.session() as session:
        result = launch_from_form(session, matrix, flat, catalog)
    assert result.execution is None
    assert result.errors == {
        "run_name": "use lowercase letters, digits and dashes",
        "threads": "'four' is not a number (write it like 12, -3.5 or 1e6)",
        "limits.min_quality": "Input should be less than or equal to 60",
        "ratio": "'nan' is not a number (write it like 12, -3.5 or 1e6)",
        "strand": "Input should be 'forward', 'reverse' or 'both'",
        "label.b0": "'x' is not a number (write it like 12, -3.5 or 1e6)",
        "lanes.1": "1.5 is not a whole number",
        "lanes.2": "This field is required.",
        "tags.1.key": "key 'depth' appears twice",
        "trimming.adapter": "This field is required.",
        "reads": "'table.csv' is not a fastq file",
        "outdir.value": "no directory 'file:///etc' in the file store",
        "samples.0.fastq": "'table.csv' is not a fastq file",
        "started": "Input should be a valid datetime or date, input is too short",
        "timeout": "a duration cannot be negative",
    }
    assert _executions(platform) == 0


def test_a_previous_executions_inputs_prefill_an_identical_relaunch(
    platform: Platform, matrix: LaunchForm, files: dict[str, str]
) -> None:
    catalog = StoreCatalog(platform.store, PROJECT)
    with platform.db.session() as session:
        first = launch_from_form(session, matrix, _flat(files), catalog).execution
        assert first is not None
        inputs = get_execution(session, first).inputs
        prefill = flatten(matrix.form, matrix.values_of(inputs))
        second = launch_from_form(session, matrix, prefill, catalog, relaunch_of=first.name).execution
        assert second is not None
        relaunched = get_execution(session, second)
    assert relaunched.inputs == inputs
    assert relaunched.relaunch_of == first.name


def test_the_json_api_shape_validates_like_the_form(
    platform: Platform, matrix: LaunchForm, files: dict[str, str]
) -> None:
    nested, errors = unflatten(matrix.form, _flat(files))
    assert errors == {}
    catalog = StoreCatalog(platform.store, PROJECT)
    with platform.db.session() as session:
        via_json = launch_from_json(session, matrix, nested, catalog).execution
        via_form = launch_from_form(session, matrix, _flat(files), catalog).execution
        assert via_json is not None and via_form is not None
        assert get_execution(session, via_json).inputs == get_execution(session, via_form).inputs


def test_left_out_optional_inputs_take_their_defaults(
    platform: Platform, matrix: LaunchForm, files: dict[str, str]
) -> None:
    required = {"run_name": "r", "threads": 1, "reads": files["reads"], "trimming": {"adapter": "A"},
                "samples": [{"sample": "S", "fastq": files["s1"]}]}  # fmt: skip
    catalog = StoreCatalog(platform.store, PROJECT)
    with platform.db.session() as session:
        key = launch_from_json(session, matrix, required, catalog).execution
        assert key is not None
        literals = get_execution(session, key).inputs.literals
    assert literals["ratio"].scalar.primitive.float_value == 0.5
    assert literals["label"].scalar.union.value.scalar.primitive.string_value == "auto"
    assert literals["seed"].scalar.union.value.scalar.HasField("none_type")


def test_a_file_outside_the_projects_folder_is_not_found(platform: Platform, tmp_path: Path) -> None:
    elsewhere = put_managed_file(platform.store, "other-lab", "secret.fastq", b"@x\n", tmp_path)
    assert StoreCatalog(platform.store, PROJECT).lookup(elsewhere) is None
    assert StoreCatalog(platform.store, "other-lab").lookup(elsewhere) is not None
