"""Register latchlike's own workflows (the `workflows` package) on start.

They go through the same service functions as a `pyflyte register`, under a version
derived from their source, so an unchanged release registers nothing and a changed one
adds a new version beside the old.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

import workflows
from latchlike.errors import AlreadyExists, InternalError
from latchlike.platform import Platform
from latchlike.specs import service
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import ResourceKind
from latchlike.specs.listing import Filter, ListQuery
from latchlike.specs.projects import ensure_project
from latchlike.specs.sources import package_sources

log = logging.getLogger(__name__)
BUILTIN_DOMAIN = "development"
PACKAGE = "workflows"


def builtin_version(image: str) -> str:
    """Changes whenever the workflow sources, the image or the flytekit version change."""
    digest = hashlib.sha256(f"{image}\n{importlib.metadata.version('flytekit')}".encode())
    root = Path(workflows.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return "builtin-" + digest.hexdigest()[:16]


def register_builtin_workflows(platform: Platform, project: str | None = None) -> None:
    """Into the default project on start, and into another (made if need be) when its files
    first need their QC, so that QC runs where the file is (`triggers`)."""
    settings = platform.settings
    project = project or settings.default_project
    version = builtin_version(settings.builtin_image)
    if _already_registered(platform, project, version):
        return
    with platform.db.session() as session:
        ensure_project(session, project_id=project)
    with tempfile.TemporaryDirectory() as out:
        _serialize(project, version, settings.builtin_image, Path(out))
        for path in sorted(Path(out).glob("*.pb")):
            _register_file(platform, path)
    log.info("registered built-in workflows in %s at version %s", project, version)


def _already_registered(platform: Platform, project: str, version: str) -> bool:
    with platform.db.session() as session:
        page = service.list_entities(
            session,
            kind=ResourceKind.LAUNCH_PLAN,
            project=project,
            domain=BUILTIN_DOMAIN,
            name="",
            query=ListQuery(filters=(Filter("eq", "version", version),), limit=1),
        )
    return bool(page.items)


def _serialize(project: str, version: str, image: str, out: Path) -> None:
    command = [
        sys.executable, "-m", "latchlike.serialize_builtins",
        "--project", project, "--domain", BUILTIN_DOMAIN, "--version", version,
        "--image", image, "--out", str(out), "--package", PACKAGE,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InternalError(f"serializing the built-in workflows failed:\n{result.stderr[-4000:]}")


def _register_file(platform: Platform, path: Path) -> None:
    kind = path.stem.split("-", 1)[1]
    data = path.read_bytes()
    try:
        with platform.db.session() as session:
            if kind == "task":
                task = task_pb2.TaskSpec.FromString(data)
                service.register_task(session, task_id=entity_id(task.template.id, ResourceKind.TASK), spec=task)
            elif kind == "workflow":
                wf = workflow_pb2.WorkflowSpec.FromString(data)
                service.register_workflow(
                    session,
                    workflow_id=entity_id(wf.template.id, ResourceKind.WORKFLOW),
                    spec=wf,
                    sources=package_sources(Path(workflows.__file__).parent, PACKAGE),
                )
            else:
                lp = launch_plan_pb2.LaunchPlan.FromString(data)
                lp_id = entity_id(lp.id, ResourceKind.LAUNCH_PLAN)
                service.register_launch_plan(session, launch_plan_id=lp_id, spec=lp.spec)
                service.set_launch_plan_state(session, launch_plan_id=lp_id, state=service.ACTIVE)
    except AlreadyExists:
        pass  # a previous start got this far before it stopped
