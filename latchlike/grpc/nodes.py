"""Node and task executions as FlyteAdmin messages (what FlyteRemote.wait syncs)."""

from __future__ import annotations

from collections.abc import Sequence

from flyteidl.admin import node_execution_pb2, task_execution_pb2
from flyteidl.core import catalog_pb2, compiler_pb2, identifier_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2

from latchlike.executions.nodes import NodeRun
from latchlike.executions.service import ExecutionKey, NodeAttempt
from latchlike.grpc.convert import execution_identifier, identifier, timestamp

_NODE = core_execution_pb2.NodeExecution
_TASK = core_execution_pb2.TaskExecution
_NODE_PHASES = {"RUNNING": _NODE.RUNNING, "SUCCEEDED": _NODE.SUCCEEDED, "FAILED": _NODE.FAILED,
                "ABORTED": _NODE.ABORTED}  # fmt: skip
_TASK_PHASES = {"RUNNING": _TASK.RUNNING, "SUCCEEDED": _TASK.SUCCEEDED, "FAILED": _TASK.FAILED,
                "ABORTED": _TASK.ABORTED, "RETRYABLE_FAILURE": _TASK.RETRYABLE_FAILED}  # fmt: skip
_ENDED = frozenset({"SUCCEEDED", "FAILED", "ABORTED"})
PARENT_KINDS = frozenset({"workflow", "branch", "dynamic"})
"""Nodes whose children FlyteRemote lists by `unique_parent_id`; a map task's items are
its array node's task execution's `external_resources` instead, as in Flyte."""


def node_identifier(run: NodeRun) -> identifier_pb2.NodeExecutionIdentifier:
    return identifier_pb2.NodeExecutionIdentifier(
        node_id=run.node_id, execution_id=execution_identifier(run.execution.key)
    )


def node_execution(run: NodeRun) -> node_execution_pb2.NodeExecution:
    latest = run.latest
    phase = _NODE_PHASES.get(latest.phase, _NODE.RUNNING)
    if latest.phase == "RETRYABLE_FAILURE":  # another attempt comes, unless the execution has ended
        phase = _NODE.FAILED if run.execution.phase in _ENDED else _NODE.RUNNING
    closure = node_execution_pb2.NodeExecutionClosure(
        phase=phase,
        started_at=timestamp(run.attempts[0].started_at),
        created_at=timestamp(run.attempts[0].started_at),
        updated_at=timestamp(latest.finished_at or latest.started_at),
    )
    if latest.finished_at:
        closure.duration.FromTimedelta(latest.finished_at - run.attempts[0].started_at)
    if phase == _NODE.FAILED and latest.error:
        closure.error.CopyFrom(core_execution_pb2.ExecutionError(code="USER", message=latest.error))
    if latest.child_execution:
        child = ExecutionKey(run.execution.key.project, run.execution.key.domain, latest.child_execution)
        closure.workflow_node_metadata.executionId.CopyFrom(execution_identifier(child))
    if latest.cache_hit:
        closure.task_node_metadata.cache_status = catalog_pb2.CACHE_HIT
    metadata = node_execution_pb2.NodeExecutionMetaData(
        spec_node_id=run.spec_node_id,
        retry_group=str(latest.attempt - 1),
        is_parent_node=latest.kind in PARENT_KINDS,
        is_array=latest.kind == "array",
        is_dynamic=latest.kind == "dynamic",
    )
    return node_execution_pb2.NodeExecution(id=node_identifier(run), closure=closure, metadata=metadata)


def task_execution(
    run: NodeRun, attempt: NodeAttempt, items: Sequence[NodeRun] = (), public_url: str = ""
) -> task_execution_pb2.TaskExecution:
    """`items`: a map task's, reported as the array node's external resources, each with
    its phase and a link to its log on the web server at `public_url`."""
    closure = task_execution_pb2.TaskExecutionClosure(
        phase=_TASK_PHASES.get(attempt.phase, _TASK.RUNNING),
        started_at=timestamp(attempt.started_at),
        created_at=timestamp(attempt.started_at),
        updated_at=timestamp(attempt.finished_at or attempt.started_at),
        task_type="python-task",
    )
    if attempt.finished_at:
        closure.duration.FromTimedelta(attempt.finished_at - attempt.started_at)
    if attempt.error and attempt.phase != "SUCCEEDED":
        closure.error.CopyFrom(core_execution_pb2.ExecutionError(code="USER", message=attempt.error))
    closure.metadata.external_resources.extend(_item(item, public_url) for item in items)
    return task_execution_pb2.TaskExecution(id=task_identifier(run, attempt), closure=closure)


def dynamic_metadata(
    run: NodeRun, workflow: compiler_pb2.CompiledWorkflowClosure
) -> node_execution_pb2.DynamicWorkflowNodeMetadata:
    return node_execution_pb2.DynamicWorkflowNodeMetadata(id=workflow.primary.template.id, compiled_workflow=workflow)


def _item(item: NodeRun, public_url: str) -> event_pb2.ExternalResourceInfo:
    key = item.execution.key
    logs = [
        core_execution_pb2.TaskLog(
            name=f"item {item.spec_node_id} attempt {attempt.attempt}",
            uri=f"{public_url}/executions/{key.project}/{key.domain}/{key.name}/nodes/{item.node_id}/{attempt.attempt}/log",
            message_format=core_execution_pb2.TaskLog.UNKNOWN,
        )
        for attempt in item.attempts
    ]
    return event_pb2.ExternalResourceInfo(
        external_id=item.node_id,
        index=int(item.node_id.rsplit("-", 1)[1]),
        retry_attempt=item.latest.attempt - 1,
        phase=_TASK_PHASES.get(item.latest.phase, _TASK.RUNNING),
        logs=logs,
    )


def task_identifier(run: NodeRun, attempt: NodeAttempt) -> identifier_pb2.TaskExecutionIdentifier:
    assert run.task is not None, "only task and array nodes have task executions"
    return identifier_pb2.TaskExecutionIdentifier(
        task_id=identifier(run.task), node_execution_id=node_identifier(run), retry_attempt=attempt.attempt - 1
    )
