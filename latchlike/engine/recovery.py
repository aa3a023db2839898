"""Recovering a failed execution (FlyteAdmin's RecoverExecution): the new execution runs
the same launch plan with the same inputs, and each node that succeeded in the failed one
is taken over with its inputs and outputs instead of running again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.engine.phases import SUCCEEDED
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow


def succeeded_attempt(session: Session, execution: ExecutionRow, path: str) -> NodeExecutionRow | None:
    """The attempt of node `path` that succeeded in the execution `execution` recovers."""
    return session.scalar(
        select(NodeExecutionRow)
        .join(ExecutionRow, ExecutionRow.id == NodeExecutionRow.execution_id)
        .where(
            ExecutionRow.project == execution.project,
            ExecutionRow.domain == execution.domain,
            ExecutionRow.name == execution.recovered_from,
            NodeExecutionRow.node_id == path,
            NodeExecutionRow.phase == SUCCEEDED,
        )
        .limit(1)
    )
