"""Vendored front-end files: exactly what the manifest pins, and shipped in the package."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import PurePosixPath

from tests.server import REPO

VENDOR = REPO / "latchlike" / "web" / "static" / "vendor"


def test_the_vendored_files_are_those_the_manifest_pins() -> None:
    checked = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "vendor"), "--check"], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    for name, library in json.loads((VENDOR / "MANIFEST.json").read_text()).items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", library["version"]), f"{name} is not pinned to one version"


def test_every_vendored_file_is_package_data() -> None:
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["latchlike"]
    root = REPO / "latchlike"
    for path in VENDOR.rglob("*"):
        if path.is_file():
            parts = PurePosixPath(path.relative_to(root).as_posix()).parts
            assert any(_matches(parts, PurePosixPath(pattern).parts) for pattern in patterns), path


def _matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """setuptools' reading of a glob: `*` stays within one folder."""
    return len(parts) == len(pattern) and all(fnmatch(part, glob) for part, glob in zip(parts, pattern, strict=True))
