"""Real flytekit-serialized protos of the sample workflow, for tests that need no server."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

SAMPLE_PROJECT = Path(__file__).parent / "fixtures" / "sample_project"


@dataclass(frozen=True)
class SerializedSample:
    tasks: list[task_pb2.TaskSpec]
    workflows: list[workflow_pb2.WorkflowSpec]
    launch_plans: list[launch_plan_pb2.LaunchPlan]


def serialize_sample(out: Path, *, project: str = "flytesnacks", version: str = "v1") -> SerializedSample:
    """Serialize tests/fixtures/sample_project's `sample` package the way latchlike does its own."""
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
            "sample",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(SAMPLE_PROJECT)},
    )
    files = sorted(out.glob("*.pb"))
    return SerializedSample(
        tasks=[task_pb2.TaskSpec.FromString(f.read_bytes()) for f in files if f.stem.endswith("-task")],
        workflows=[workflow_pb2.WorkflowSpec.FromString(f.read_bytes()) for f in files if f.stem.endswith("-workflow")],
        launch_plans=[
            launch_plan_pb2.LaunchPlan.FromString(f.read_bytes()) for f in files if f.stem.endswith("-launch_plan")
        ],
    )
