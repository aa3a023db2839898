"""The fork server imports a task's module once, before forking; changed code is not run stale."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from latchlike.engine.executors.forkserver import PreloadedModules


def _request(package_root: Path, module: str) -> dict[str, object]:
    return {"entry": "pyflyte-execute", "args": ["--inputs", "x", "--", "task-module", module, "task-name", "t"],
            "env": {"PYTHONPATH": str(package_root)}}  # fmt: skip


def test_a_module_is_imported_once_and_dropped_when_its_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    source = tmp_path / "preloaded_sample.py"
    source.write_text("VERSION = 1\n")
    modules = PreloadedModules()
    modules.preload(_request(tmp_path, "preloaded_sample"))
    try:
        assert sys.modules["preloaded_sample"].VERSION == 1
        modules.drop_stale()
        assert "preloaded_sample" in sys.modules  # unchanged: children use the imported module
        source.write_text("VERSION = 2\n")
        os.utime(source, (0, 0))  # a different modification time, whatever the clock's resolution
        modules.drop_stale()
        assert "preloaded_sample" not in sys.modules  # a child imports the new code itself
    finally:
        sys.modules.pop("preloaded_sample", None)


def test_a_module_that_fails_to_import_is_left_to_the_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "broken_sample.py").write_text("raise RuntimeError('no reference genome')\n")
    modules = PreloadedModules()
    modules.preload(_request(tmp_path, "broken_sample"))  # no exception: the task reports it
    assert "broken_sample" not in sys.modules
