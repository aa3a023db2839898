"""Real flytekit-serialized protos of the sample workflow, for tests that need no server."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_PROJECT = FIXTURES / "sample_project"
FORMS_PROJECT = FIXTURES / "forms_project"
BAD_FORMS_PROJECT = FIXTURES / "bad_forms_project"
QUIRKS_PROJECT = FIXTURES / "quirks_project"


@dataclass(frozen=True)
class SerializedSample:
    tasks: list[task_pb2.TaskSpec]
    workflows: list[workflow_pb2.WorkflowSpec]
    launch_plans: list[launch_plan_pb2.LaunchPlan]


def serialize_sample(
    out: Path,
    *,
    project: str = "flytesnacks",
    version: str = "v1",
    project_dir: Path = SAMPLE_PROJECT,
    package: str = "sample",
) -> SerializedSample:
    """Serialize a fixture package (by default tests/fixtures/sample_project's `sample`) the
    way latchlike serializes its own."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "latchlike.serialize_builtins",
            "--project",
            project,
            "--domain",
            "development",
            "--version",
            version,
            "--image",
            "ghcr.io/example/sample:1",
            "--out",
            str(out),
            "--package",
            package,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(project_dir)},
    )
    files = sorted(out.glob("*.pb"))
    return SerializedSample(
        tasks=[task_pb2.TaskSpec.FromString(f.read_bytes()) for f in files if f.stem.endswith("-task")],
        workflows=[workflow_pb2.WorkflowSpec.FromString(f.read_bytes()) for f in files if f.stem.endswith("-workflow")],
        launch_plans=[
            launch_plan_pb2.LaunchPlan.FromString(f.read_bytes()) for f in files if f.stem.endswith("-launch_plan")
        ],
    )
