"""Registration refuses a workflow that cannot be a form, saying which parameter and why."""

from __future__ import annotations

import pytest

from latchlike.errors import InvalidArgument, NotFound
from latchlike.launches.forms import launch_form
from latchlike.platform import Platform
from latchlike.specs import service
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from latchlike.specs.sources import package_sources
from tests.samples import BAD_FORMS_PROJECT, FORMS_PROJECT, SerializedSample, serialize_sample
from tests.ui_gen.conftest import MATRIX
from tests.ui_gen.registry import register_serialized


@pytest.fixture(scope="module")
def bad_sample(tmp_path_factory: pytest.TempPathFactory) -> SerializedSample:
    return serialize_sample(tmp_path_factory.mktemp("bad"), project_dir=BAD_FORMS_PROJECT, package="bad_forms")


def _register_workflow(platform: Platform, sample: SerializedSample, name: str) -> None:
    with platform.db.session() as session:
        for task in sample.tasks:
            service.register_task(session, task_id=entity_id(task.template.id, ResourceKind.TASK), spec=task)
    workflow = next(w for w in sample.workflows if w.template.id.name == name)
    with platform.db.session() as session:
        service.register_workflow(
            session,
            workflow_id=entity_id(workflow.template.id, ResourceKind.WORKFLOW),
            spec=workflow,
            sources=package_sources(BAD_FORMS_PROJECT / "bad_forms", "bad_forms"),
        )


def test_metadata_naming_a_missing_parameter_is_refused(platform: Platform, bad_sample: SerializedSample) -> None:
    with pytest.raises(InvalidArgument) as refused:
        _register_workflow(platform, bad_sample, "bad_forms.stray.stray")
    assert "bad_forms.stray.stray@v1 cannot be offered as a form" in str(refused.value)
    assert "names parameter(s) 'samples' that the workflow's signature does not have" in str(refused.value)
    assert "Its tasks were registered; the workflow and its launch plan were not." in str(refused.value)


def test_a_type_without_a_widget_is_refused_naming_the_parameter(
    platform: Platform, bad_sample: SerializedSample
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        _register_workflow(platform, bad_sample, "bad_forms.pickled.pickled")
    assert "parameter 'thing' has type unsupported (a pickled Python object" in str(refused.value)


def test_nothing_is_stored_when_refused(platform: Platform, bad_sample: SerializedSample) -> None:
    with pytest.raises(InvalidArgument):
        _register_workflow(platform, bad_sample, "bad_forms.stray.stray")
    with platform.db.session() as session, pytest.raises(NotFound, match="is not registered"):
        launch_form(
            session, NamedEntityKey(ResourceKind.WORKFLOW, "flytesnacks", "development", "bad_forms.stray.stray")
        )


def test_without_sources_parameters_fall_back_to_name_order(
    platform: Platform, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`pyflyte register --copy none` sends no code: the form still works, in name order."""
    sample = serialize_sample(tmp_path_factory.mktemp("nosrc"), project_dir=FORMS_PROJECT, package="forms")
    register_serialized(platform, sample, None, "forms")
    with platform.db.session() as session:
        form = launch_form(session, MATRIX)
    names = [p.name for p in form.interface.inputs]
    assert names == sorted(names)
    assert form.form.title == "Widget matrix"
