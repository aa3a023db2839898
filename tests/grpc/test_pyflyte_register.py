"""The real `pyflyte register`, as a workflow developer runs it, against a real server."""

from __future__ import annotations

import base64
import hashlib
import shutil
from pathlib import Path

import httpx
import pytest
from flytekit.configuration import Config
from flytekit.remote import FlyteRemote

from tests.pyflyte import pyflyte_register
from tests.samples import SAMPLE_PROJECT
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A private copy of the sample project, so a test may change its code."""
    copy = tmp_path / "sample_project"
    shutil.copytree(SAMPLE_PROJECT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def remote(server: RunningServer) -> FlyteRemote:
    return FlyteRemote(
        Config.auto(str(server.flytekit_config())), default_project="flytesnacks", default_domain="development"
    )


def test_fast_register_uploads_bundle_and_registers_everything(server: RunningServer, project_dir: Path) -> None:
    result = pyflyte_register(server, project_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully registered 4 entities" in result.stdout

    bundles = list((server.data_dir / "store" / "uploads" / "flytesnacks" / "development").rglob("*.tar.gz"))
    assert len(bundles) == 1
    # The bundle is stored under the base32 of its MD5, which the PUT verified.
    root = bundles[0].parent.name
    assert base64.b32encode(hashlib.md5(bundles[0].read_bytes()).digest()).decode().rstrip("=").lower() == root

    workflows = {w["name"]: w for w in httpx.get(f"{server.url}/api/workflows").json()}
    assert "sample.reads.qc_reads" in workflows
    version = workflows["sample.reads.qc_reads"]["latest_version"]
    tasks = {t["name"] for t in httpx.get(f"{server.url}/api/tasks").json()}
    assert {"sample.reads.count_reads", "sample.reads.summarize"} <= tasks
    plans = {p["name"]: p for p in httpx.get(f"{server.url}/api/launch-plans").json()}
    assert plans["sample.reads.qc_reads"]["latest_version"] == version

    fetched = remote(server).fetch_workflow(name="sample.reads.qc_reads", version=version)
    assert set(fetched.interface.inputs) == {"sample_name", "reads", "thresholds", "trimmer", "ratio", "paired", "note"}
    assert {node.flyte_entity.name for node in fetched.flyte_nodes} == {
        "sample.reads.count_reads",
        "sample.reads.summarize",
    }
    task = remote(server).fetch_task(name="sample.reads.count_reads", version=version)
    assert task.template.metadata.retries.retries == 2
    # Fast-registered tasks fetch their code bundle from the stored object.
    assert str(bundles[0]) in task.template.container.args


def test_copy_none_versions_are_immutable(server: RunningServer, project_dir: Path) -> None:
    first = pyflyte_register(server, project_dir, "--copy", "none", "--version", "v1")
    assert first.returncode == 0, first.stdout + first.stderr

    again = pyflyte_register(server, project_dir, "--copy", "none", "--version", "v1")
    assert again.returncode == 0, again.stdout + again.stderr

    reads = project_dir / "sample" / "reads.py"
    reads.write_text(reads.read_text().replace("@task(retries=2,", "@task(retries=4,"))
    changed = pyflyte_register(server, project_dir, "--copy", "none", "--version", "v1")
    output = changed.stdout + changed.stderr
    assert changed.returncode != 0
    assert "INVALID_ARGUMENT" in output
    assert "sample.reads.count_reads@v1 is already registered with a different spec" in output

    kept = remote(server).fetch_task(name="sample.reads.count_reads", version="v1")
    assert kept.template.metadata.retries.retries == 2
    listed = httpx.get(f"{server.url}/api/workflows/flytesnacks/development/sample.reads.qc_reads").json()
    assert "v1" in [v["version"] for v in listed["versions"]]


def test_registrations_survive_a_restart(tmp_path: Path, project_dir: Path, database: str) -> None:
    data_dir = tmp_path / "data"
    first = start_server(data_dir)
    try:
        result = pyflyte_register(first, project_dir, "--copy", "none", "--version", "v7")
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        first.stop()

    second = start_server(data_dir)
    try:
        names = {w["name"] for w in httpx.get(f"{second.url}/api/workflows").json()}
        registered = {name for name in names if not name.startswith("workflows.qc_")}  # built-in QC: docs/qc.md
        assert registered == {"sample.reads.qc_reads", "workflows.hello.hello_world"}
        detail = httpx.get(f"{second.url}/api/workflows/flytesnacks/development/sample.reads.qc_reads").json()
        assert detail["version"] == "v7"
        assert {t["name"] for t in detail["tasks"]} == {"sample.reads.count_reads", "sample.reads.summarize"}
        fetched = remote(second).fetch_launch_plan(name="sample.reads.qc_reads", version="v7")
        assert fetched.id.version == "v7"
    finally:
        second.stop()
