"""The engine's safety net: a template with nothing running, nothing left to start and not
done can never finish, so its execution fails at once with the nodes it waits on named,
rather than staying RUNNING forever. Registration refuses the workflows known to get here
(cycles, unknown nodes); this catches whatever else does (a dynamic workflow's, say)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from latchlike.engine.dag import Step


def stuck_error(prefix: str, steps: Mapping[str, Step], succeeded: Collection[str]) -> str:
    """Names each node that never started, and what it waits for that will never come."""
    waiting = []
    for step in steps.values():
        if step.id in succeeded:
            continue
        blockers = [
            prefix + node_id if node_id in steps else f"{node_id}, which does not exist"
            for node_id in sorted(step.upstream)
            if node_id not in succeeded
        ]
        waiting.append(f"{prefix}{step.id} (waits for {', '.join(blockers) or 'nothing'})")
    return "the execution is stuck: nothing runs and these nodes can never start: " + "; ".join(waiting)
