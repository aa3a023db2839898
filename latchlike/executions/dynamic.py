"""A dynamic node's workflow as FlyteAdmin reports it (`GetNodeExecutionData`'s
`dynamic_workflow`): the nodes its task answered with in `futures.pb`, compiled with the
tasks and sub-workflows they came with, under the task's own interface, as propeller
builds it. FlyteRemote maps the node's children onto it."""

from __future__ import annotations

from flyteidl.admin import task_pb2
from flyteidl.core import compiler_pb2, dynamic_job_pb2, identifier_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from sqlalchemy.orm import Session

from latchlike.engine.walk import FUTURES, Kind
from latchlike.executions.nodes import NodeRun
from latchlike.specs.compiler import compile_template
from latchlike.specs.service import get_entity
from latchlike.store import FileStore
from latchlike.store.keys import attempt_prefix


def futures_key(run: NodeRun) -> str | None:
    """Where the dynamic node's workflow is, or None for any other node."""
    if run.latest.kind != Kind.DYNAMIC:
        return None
    key = run.execution.key
    return attempt_prefix(key.project, key.domain, key.name, run.node_id, run.latest.attempt) + "/" + FUTURES


def dynamic_workflow(session: Session, store: FileStore, run: NodeRun) -> compiler_pb2.CompiledWorkflowClosure | None:
    """None for a node that is not dynamic."""
    key = futures_key(run)
    if key is None or run.task is None or not store.exists(key):
        return None
    interface = task_pb2.TaskClosure.FromString(get_entity(session, run.task).compiled).compiled_task.template.interface
    with store.open(key) as raw:
        spec = dynamic_job_pb2.DynamicJobSpec.FromString(raw.read())
    execution = run.execution.key
    template = core_workflow_pb2.WorkflowTemplate(
        id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.WORKFLOW, project=execution.project, domain=execution.domain,
            name=f"dynamic_{run.node_id}", version=execution.name,
        ),
        interface=interface, nodes=spec.nodes, outputs=spec.outputs,
    )  # fmt: skip
    return compiler_pb2.CompiledWorkflowClosure(
        primary=compile_template(template),
        sub_workflows=[compile_template(sub) for sub in spec.subworkflows],
        tasks=[compiler_pb2.CompiledTask(template=task) for task in spec.tasks],
    )
