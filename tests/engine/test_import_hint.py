"""A task whose code cannot be imported where tasks run fails with words that say so: above
all a `--copy none` version, whose package the server's Python must be able to import."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from latchlike.engine.hints import import_hint
from tests.engine.running import ENGINE_PROJECT
from tests.pyflyte import pyflyte_register
from tests.server import RunningServer, start_server

ARGS = ["pyflyte-execute", "--inputs", "x", "--resolver", "r", "--", "task-module", "lab.align", "task-name", "bwa"]
COPY_NONE = "A version registered with `--copy none` carries no code"


def test_a_missing_task_package_is_explained() -> None:
    hint = import_hint(ARGS, "Traceback ...\nModuleNotFoundError: No module named 'lab'\n")
    assert hint is not None and "The task's module lab.align could not be imported" in hint and COPY_NONE in hint


def test_a_missing_dependency_of_the_task_is_named() -> None:
    hint = import_hint(ARGS, "ModuleNotFoundError: No module named 'pysam'")
    assert hint is not None and "imports pysam, which is not installed where tasks run" in hint


def test_a_missing_module_in_a_fast_registered_task_blames_the_bundle() -> None:
    hint = import_hint(["pyflyte-fast-execute", "--", *ARGS], "No module named 'lab.align'")
    assert hint == "The task's module lab.align is not in the code bundle pyflyte uploaded for this version."


def test_other_errors_get_no_hint() -> None:
    assert import_hint(ARGS, "ValueError: bad sample 10") is None


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    """A server whose tasks cannot import the engine tests' `pipelines` package."""
    running = start_server(tmp_path_factory.mktemp("server") / "data", builtins=False)
    yield running
    running.stop()


@pytest.mark.slow
def test_the_execution_page_says_a_copy_none_package_must_be_importable(
    bare_server: RunningServer, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(ENGINE_PROJECT, project)
    registered = pyflyte_register(bare_server, project, "--copy", "none", "--version", "v1", package="pipelines")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    api = f"{bare_server.url}/api/workflows/flytesnacks/development/pipelines.basic.fan/executions"
    launched = httpx.post(api, json={"inputs": {"x": 3}}, timeout=30)
    assert launched.status_code == 201, launched.text
    path = f"/executions/flytesnacks/development/{launched.json()['name']}"
    deadline = time.monotonic() + 120
    while httpx.get(f"{bare_server.url}/api{path}", timeout=10).json()["phase"] != "FAILED":
        assert time.monotonic() < deadline, "the execution did not fail"
        time.sleep(0.5)
    page = httpx.get(bare_server.url + path, timeout=10).text
    assert "The task&#39;s module pipelines.basic could not be imported where tasks run." in page
    assert COPY_NONE.replace("`", "") in page.replace("`", "")
