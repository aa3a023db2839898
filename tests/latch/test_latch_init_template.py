"""`latch init`'s own template, ported to plain flytekit with the SDK's docstring untouched:
registers with the real `pyflyte register`, and its form launches it with the template's
rules (an ending, searched as Latch does)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from latchlike.store.local import LocalFileStore
from tests.engine.running import wait_over_http
from tests.pyflyte import pyflyte_register
from tests.samples import FIXTURES
from tests.server import RunningServer
from tests.ui_gen.files import put_managed_file

pytestmark = pytest.mark.slow

WORKFLOW = "flytesnacks/development/wf.__init__.assemble_and_sort"


def test_the_latch_init_template_registers_and_runs(server: RunningServer, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "latch" / "init_project", project, ignore=shutil.ignore_patterns("__pycache__"))
    result = pyflyte_register(server, project, package="wf")
    assert result.returncode == 0, result.stdout + result.stderr

    launch = httpx.get(f"{server.url}/workflows/{WORKFLOW}/launch")
    assert launch.status_code == 200
    assert "Assemble and Sort FastQ Files" in launch.text and "Output Directory" in launch.text
    detail = httpx.get(f"{server.url}/api/workflows/{WORKFLOW}").json()
    assert [p["name"] for p in detail["inputs"]] == ["read1", "read2", "output_directory"]
    assert [(link["label"], link["href"]) for link in detail["about"]["links"]] == [
        ("Documentation", None),  # "your-docs.dev": not an http(s) URL, so text
        ("Repository", "https://github.com/your-repo"),
    ]

    store = LocalFileStore(server.data_dir / "store")
    reads = {
        name: put_managed_file(store, "flytesnacks", f"init/{name}.fastq.gz", b"@r\nACGT\n+\nIIII\n", tmp_path)
        for name in ("r1", "r2")
    }
    wrong = put_managed_file(store, "flytesnacks", "init/r2.bam", b"BAM", tmp_path)
    # Latch marks the output by its type (LatchOutputDir), which the port to FlyteDirectory
    # loses: without `output: true` in its metadata the folder must exist.
    folder = reads["r1"].rsplit("/", 1)[0]
    inputs = {"read1": reads["r1"], "read2": wrong, "output_directory": folder}
    refused = httpx.post(f"{server.url}/api/workflows/{WORKFLOW}/executions", json={"inputs": inputs})
    assert refused.status_code == 422, refused.text
    assert "Only fastq, fastq.gz, fq, fq.gz extensions are valid" in refused.text

    launched = httpx.post(
        f"{server.url}/api/workflows/{WORKFLOW}/executions", json={"inputs": {**inputs, "read2": reads["r2"]}}
    )
    assert launched.status_code == 201, launched.text
    wait_over_http(server, launched.json()["name"], lambda e: e["phase"] == "SUCCEEDED")
