"""What `pyflyte register` tells a developer whose workflow cannot be a form."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.pyflyte import pyflyte_register
from tests.samples import BAD_FORMS_PROJECT
from tests.server import RunningServer

pytestmark = pytest.mark.slow


def test_a_refused_workflow_says_its_tasks_were_registered_and_it_was_not(
    server: RunningServer, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(BAD_FORMS_PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "bad_forms" / "pickled.py").unlink()  # one refusal at a time
    result = pyflyte_register(server, project, package="bad_forms")
    assert result.returncode != 0
    assert "bad_forms.stray.stray" in result.stdout
    assert "names parameter(s) 'samples' that the workflow's signature does not have" in result.stdout
    assert "Its tasks were registered; the workflow and its launch plan were not." in result.stdout
    workflows = {w["name"] for w in httpx.get(f"{server.url}/api/workflows").json()}
    assert "bad_forms.stray.stray" not in workflows
    assert "bad_forms.stray.echo" in {t["name"] for t in httpx.get(f"{server.url}/api/tasks").json()}
