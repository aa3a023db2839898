"""Runs the real `pyflyte` of this environment, as a workflow developer would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.server import RunningServer

# Beside this interpreter, so the tests do not depend on an activated virtualenv.
PYFLYTE = str(Path(sys.executable).with_name("pyflyte"))
REGISTER_TIMEOUT_SECONDS = 120


def pyflyte_register(
    server: RunningServer, project_dir: Path, *args: str, package: str = "sample"
) -> subprocess.CompletedProcess[str]:
    """`pyflyte register [args] <package>` in `project_dir`; a hang (say, a browser login) fails the test."""
    return subprocess.run(
        [PYFLYTE, "--config", str(server.flytekit_config()), "register", *args, package],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=REGISTER_TIMEOUT_SECONDS,
    )


def pyflyte(server: RunningServer, project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Any pyflyte command against `server`, run in `project_dir`."""
    return subprocess.run(
        [PYFLYTE, "--config", str(server.flytekit_config()), *args],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=REGISTER_TIMEOUT_SECONDS,
    )
