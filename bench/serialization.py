"""Serializing a generated flytekit package the way latchlike serializes its own (shared by
the benchmark scripts)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2


@dataclass(frozen=True)
class Serialized:
    tasks: list[task_pb2.TaskSpec]
    workflows: list[workflow_pb2.WorkflowSpec]
    launch_plans: list[launch_plan_pb2.LaunchPlan]


def serialize(root: Path, package: str, out: Path, *, project: str = "flytesnacks", version: str = "v1") -> Serialized:
    """`package` lives in `root`; its protos are written to `out` and read back."""
    out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "latchlike.serialize_builtins", "--project", project, "--domain", "development",
        "--version", version, "--image", "bench:1", "--out", str(out), "--package", package,
    ]  # fmt: skip
    subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True)
    files = sorted(out.glob("*.pb"))
    return Serialized(
        tasks=[task_pb2.TaskSpec.FromString(f.read_bytes()) for f in files if f.stem.endswith("-task")],
        workflows=[workflow_pb2.WorkflowSpec.FromString(f.read_bytes()) for f in files if f.stem.endswith("-workflow")],
        launch_plans=[
            launch_plan_pb2.LaunchPlan.FromString(f.read_bytes()) for f in files if f.stem.endswith("-launch_plan")
        ],
    )
