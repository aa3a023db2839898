"""The engine fixtures: the `pipelines` test package serialized once and registered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from latchlike.platform import Platform
from tests.engine.running import ENGINE_PROJECT
from tests.samples import SerializedSample, serialize_sample
from tests.ui_gen.registry import register_serialized


@pytest.fixture(scope="module")
def pipelines(tmp_path_factory: pytest.TempPathFactory) -> SerializedSample:
    return serialize_sample(tmp_path_factory.mktemp("pipelines"), project_dir=ENGINE_PROJECT, package="pipelines")


@pytest.fixture
def registered(platform: Platform, pipelines: SerializedSample, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    # Task processes import the workflow's module, as an image with the code would.
    monkeypatch.setenv("PYTHONPATH", str(ENGINE_PROJECT))
    register_serialized(platform, pipelines, ENGINE_PROJECT / "pipelines", "pipelines")
    yield platform


