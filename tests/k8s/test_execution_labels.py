"""An execution's `--labels`, `--annotations` and `--envs` reach its task's pod."""

from __future__ import annotations

from collections.abc import Iterator

import kubernetes_validate
import pytest
from flyteidl.core import literals_pb2

from latchlike.engine.executors.kubernetes import KubernetesExecutor
from latchlike.executions.launching import launch_with_literals
from latchlike.executions.options import ExecutionOptions
from latchlike.launches.forms import launch_form
from latchlike.platform import Platform
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from tests.engine.running import run_until_done
from tests.k8s.fake_api import FakeApiServer, FakeCluster
from tests.k8s.test_kubernetes_executor import SETTINGS
from tests.k8s.test_manifests import KUBERNETES_VERSION

pytestmark = pytest.mark.slow
WORKFLOW = ("flytesnacks", "development", "pipelines.options.reads_env")


@pytest.fixture
def cluster() -> Iterator[FakeApiServer]:
    with FakeApiServer(FakeCluster()) as server:
        yield server


def test_labels_annotations_and_envs_are_put_on_the_pod(registered: Platform, cluster: FakeApiServer) -> None:
    options = ExecutionOptions(envs={"SAMPLE_SHEET": "v2"}, labels={"team": "genomics"},
                               annotations={"example.org/ticket": "LAB-12"})  # fmt: skip
    name = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="SAMPLE_SHEET"))
    )
    with registered.db.session() as session:
        key = launch_with_literals(
            session,
            launch_plan=launch_form(session, NamedEntityKey(ResourceKind.WORKFLOW, *WORKFLOW)).launch_plan,
            inputs=literals_pb2.LiteralMap(literals={"name": name}),
            store=registered.store,
            options=options,
        )
    executor = KubernetesExecutor(cluster.api(), SETTINGS, log_dir=registered.settings.data_dir / "logs")
    execution = run_until_done(registered, key, executor=executor)
    assert execution.phase == "SUCCEEDED", execution.error
    assert execution.outputs is not None
    assert literals_pb2.LiteralMap.FromString(execution.outputs).literals["o0"].scalar.primitive.string_value == "v2"
    [manifest] = cluster.cluster.created
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert manifest["metadata"]["labels"]["team"] == "genomics"
    assert manifest["metadata"]["annotations"]["example.org/ticket"] == "LAB-12"
