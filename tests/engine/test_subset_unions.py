"""Latch's `Union[SingleEndReads, PairedEndReads]` run through the engine with real flytekit:
flytekit cannot tell the branches apart (refused as ambiguous as an input, read as the
first branch inside a record), so the workflow is registered with a warning, and a relaunch
prefills the branch that was launched, never the smaller one."""

from __future__ import annotations

import httpx
import pytest
from flyteidl.core import literals_pb2

from latchlike.executions.service import get_execution
from latchlike.launches.forms import launch_form
from latchlike.platform import Platform
from latchlike.specs.about import about
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from tests.engine.running import ENGINE_PROJECT, launch, run_until_done
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer
from ui_gen.schema import Chosen

pytestmark = pytest.mark.slow
PAIRED = {"r1": "a_1.fq", "r2": "a_2.fq"}


def workflow(name: str) -> NamedEntityKey:
    return NamedEntityKey(ResourceKind.WORKFLOW, "flytesnacks", "development", f"pipelines.reads.{name}")


def output(outputs: bytes | None) -> str:
    assert outputs is not None
    return literals_pb2.LiteralMap.FromString(outputs).literals["o0"].scalar.primitive.string_value


def test_a_paired_end_sample_relaunches_as_paired_end_and_the_workflow_warns(registered: Platform) -> None:
    key = launch(
        registered, "pipelines.reads.align_sample", {"sample": {"name": "a", "reads": {"branch": 1, "value": PAIRED}}}
    )
    execution = run_until_done(registered, key)
    assert execution.phase == "SUCCEEDED", execution.error
    # What flytekit does with the untagged msgpack: the first branch that fits. Hence the warning.
    assert output(execution.outputs) == "a: single a_1.fq"
    with registered.db.session() as session:
        form = launch_form(session, workflow("align_sample"))
        relaunched = form.values_of(get_execution(session, key).inputs)
        warnings = about(form.interface).warnings
    assert relaunched["sample"]["reads"] == Chosen(1, PAIRED)
    assert len(warnings) == 1
    assert warnings[0].startswith("sample: a PairedEndReads has every field of a SingleEndReads")


def test_a_paired_end_input_is_refused_by_flytekit_not_run_as_single_end(registered: Platform) -> None:
    key = launch(registered, "pipelines.reads.align", {"reads": {"branch": 1, "value": PAIRED}})
    execution = run_until_done(registered, key)
    assert execution.phase == "FAILED"
    assert "Ambiguous" in (execution.error or "")
    with registered.db.session() as session:
        form = launch_form(session, workflow("align"))
        assert form.values_of(get_execution(session, key).inputs)["reads"] == Chosen(1, PAIRED)
        assert about(form.interface).warnings != []


def test_a_single_end_input_runs_as_single_end(registered: Platform) -> None:
    execution = run_until_done(
        registered, launch(registered, "pipelines.reads.align", {"reads": {"branch": 0, "value": {"r1": "b.fq"}}})
    )
    assert execution.phase == "SUCCEEDED", execution.error
    assert output(execution.outputs) == "single b.fq"


def test_the_workflow_and_launch_pages_show_the_warning(server: RunningServer) -> None:
    result = pyflyte_register(server, ENGINE_PROJECT, package="pipelines")
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("", "/launch"):
        text = httpx.get(f"{server.url}/workflows/flytesnacks/development/pipelines.reads.align{page}").text
        warning = text[text.index('id="union-warnings"') : text.index("</div>", text.index('id="union-warnings"'))]
        assert "a PairedEndReads has every field of a SingleEndReads" in warning
    plain = httpx.get(f"{server.url}/workflows/flytesnacks/development/pipelines.options.tagged").text
    assert 'id="union-warnings"' not in plain
