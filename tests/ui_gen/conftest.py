from __future__ import annotations

from collections.abc import Iterator

import pytest

from latchlike.launches.forms import LaunchForm, launch_form
from latchlike.platform import Platform
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from tests.samples import FORMS_PROJECT, SerializedSample, serialize_sample
from tests.ui_gen.registry import register_serialized

MATRIX = NamedEntityKey(ResourceKind.WORKFLOW, "flytesnacks", "development", "forms.matrix.matrix")


@pytest.fixture(scope="session")
def matrix_sample(tmp_path_factory: pytest.TempPathFactory) -> SerializedSample:
    return serialize_sample(tmp_path_factory.mktemp("matrix"), project_dir=FORMS_PROJECT, package="forms")


@pytest.fixture
def matrix(platform: Platform, matrix_sample: SerializedSample) -> Iterator[LaunchForm]:
    """The widget-matrix workflow registered through the registry, and its launch form."""
    register_serialized(platform, matrix_sample, FORMS_PROJECT / "forms", "forms")
    with platform.db.session() as session:
        yield launch_form(session, MATRIX)
