"""Serialize the built-in workflows with flytekit, in a child process.

Run as `python -m latchlike.serialize_builtins`. It writes one `NNN-<kind>.pb` file per
entity (admin TaskSpec, WorkflowSpec or LaunchPlan), in the order they must be
registered. A separate process keeps flytekit's global entity registry and its import
cost out of the server.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.models import launch_plan as launch_plan_models
from flytekit.models import task as task_models
from flytekit.models.admin import workflow as workflow_models
from flytekit.tools.repo import serialize_get_control_plane_entities, serialize_load_only
from flytekit.tools.translator import Options

KINDS = (
    (task_models.TaskSpec, "task"),
    (workflow_models.WorkflowSpec, "workflow"),
    (launch_plan_models.LaunchPlan, "launch_plan"),
)


def main() -> None:
    parser = argparse.ArgumentParser()
    for option in ("--project", "--domain", "--version", "--image", "--out", "--package"):
        parser.add_argument(option, required=True)
    args = parser.parse_args()
    import importlib

    package_root = Path(importlib.import_module(args.package).__file__ or "").parent.parent
    settings = SerializationSettings(
        project=args.project,
        domain=args.domain,
        version=args.version,
        image_config=ImageConfig.auto(img_name=args.image),
    )
    serialize_load_only([args.package], settings, str(package_root))
    entities = serialize_get_control_plane_entities(settings, str(package_root), Options(), is_registration=True)
    out = Path(args.out)
    written = 0
    for wanted, kind in KINDS:
        for entity in entities:
            if isinstance(entity, wanted):
                (out / f"{written:03d}-{kind}.pb").write_bytes(entity.to_flyte_idl().SerializeToString())
                written += 1


if __name__ == "__main__":
    main()
