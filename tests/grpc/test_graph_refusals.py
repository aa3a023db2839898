"""CreateWorkflow refuses, with INVALID_ARGUMENT naming the nodes, a workflow whose
execution could never finish or never bind: pyflyte-serialized specs, mutated."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from flyteidl.admin import task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc

from tests.samples import SerializedSample
from tests.server import RunningServer

pytestmark = pytest.mark.slow


def _workflow(pipelines: SerializedSample, name: str) -> workflow_pb2.WorkflowSpec:
    return next(spec for spec in pipelines.workflows if spec.template.id.name == name)


def _create(server: RunningServer, pipelines: SerializedSample, spec: workflow_pb2.WorkflowSpec, version: str) -> None:
    """Registers the tasks (as pyflyte does first), then the workflow under a fresh version."""
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        for task in pipelines.tasks:
            try:
                stub.CreateTask(task_pb2.TaskCreateRequest(id=task.template.id, spec=task), timeout=10)
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.ALREADY_EXISTS, error
        workflow_id = identifier_pb2.Identifier()
        workflow_id.CopyFrom(spec.template.id)
        workflow_id.version = version
        try:
            stub.CreateWorkflow(workflow_pb2.WorkflowCreateRequest(id=workflow_id, spec=spec), timeout=10)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise


def _cyclic(spec: workflow_pb2.WorkflowSpec) -> None:
    """fan: n0 now also waits for n1, which reads n0's output."""
    spec.template.nodes[0].upstream_node_ids.append("n1")


def _unknown_upstream(spec: workflow_pb2.WorkflowSpec) -> None:
    spec.template.nodes[1].upstream_node_ids.append("n9")


def _unknown_binding(spec: workflow_pb2.WorkflowSpec) -> None:
    spec.template.nodes[3].inputs[0].binding.promise.node_id = "n7"


def _unknown_output(spec: workflow_pb2.WorkflowSpec) -> None:
    spec.template.nodes[1].inputs[0].binding.promise.var = "o7"


def _ill_typed(spec: workflow_pb2.WorkflowSpec) -> None:
    """files: summarize(reads: FlyteFile) given the workflow's int input instead of the file."""
    binding = spec.template.nodes[1].inputs[0].binding.promise
    binding.node_id, binding.var = "", "n"


@pytest.mark.parametrize(
    ("workflow", "mutate", "message"),
    [
        ("pipelines.basic.fan", _cyclic, "has a cycle: nodes n0 ← n1 ← n0"),
        ("pipelines.basic.fan", _unknown_upstream, "refers to nodes it does not have: n1 waits for n9"),
        ("pipelines.basic.fan", _unknown_binding, "refers to nodes it does not have: n3 waits for n7"),
        ("pipelines.basic.fan", _unknown_output, "node n1 reads n0.o7 for 'x', which is not there"),
        ("pipelines.basic.files", _ill_typed, "node n1 cannot take 'reads' (blob) from workflow input 'n'"),
    ],
    ids=["cycle", "unknown-upstream", "unknown-binding", "unknown-output", "ill-typed"],
)
def test_create_workflow_refuses_a_graph_that_cannot_run(
    server: RunningServer,
    pipelines: SerializedSample,
    workflow: str,
    mutate: Callable[[workflow_pb2.WorkflowSpec], None],
    message: str,
) -> None:
    spec = workflow_pb2.WorkflowSpec()
    spec.CopyFrom(_workflow(pipelines, workflow))
    _create(server, pipelines, spec, "as-serialized")  # accepted as pyflyte wrote it
    mutate(spec)
    with pytest.raises(grpc.RpcError) as refused:
        _create(server, pipelines, spec, f"mutated-{mutate.__name__}")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in str(refused.value.details())
