"""Runs the real `pyflyte` of this environment, as a workflow developer would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flytekit.configuration import Config
from flytekit.remote import FlyteRemote

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


def flyte_remote(server: RunningServer) -> FlyteRemote:
    """A FlyteRemote on `server`, in pyflyte's default project and domain."""
    return FlyteRemote(
        Config.auto(config_file=str(server.flytekit_config())),
        default_project="flytesnacks",
        default_domain="development",
    )


def registered_remote(server: RunningServer, project_dir: Path, package: str) -> FlyteRemote:
    """`package` registered with the real pyflyte, then a FlyteRemote to run it."""
    registered = pyflyte_register(server, project_dir, package=package)
    assert registered.returncode == 0, registered.stdout + registered.stderr
    return flyte_remote(server)
