"""Server-sent events for the execution page: node phases as they change, and an attempt's
log as it is written. Each stream reads the database (or the executor's log) on a short
period and sends only what changed, then says `end` once there is nothing more to come."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from latchlike.engine.loop import Engine
from latchlike.executions import views as execution_views
from latchlike.executions.service import ExecutionKey
from latchlike.web.deps import PlatformDep

router = APIRouter(include_in_schema=False)
STATE_SECONDS, LOG_SECONDS, HEARTBEAT_SECONDS = 1.0, 0.5, 15.0
_ACTIVE = frozenset({"QUEUED", "RUNNING", "ABORTING"})


@router.get("/executions/{project}/{domain}/{name}/events")
async def execution_events(
    request: Request, platform: PlatformDep, project: str, domain: str, name: str
) -> StreamingResponse:
    key = ExecutionKey(project, domain, name)

    async def state() -> tuple[str, bool]:
        detail = await platform.db.run(lambda s: execution_views.execution_detail(s, key))
        snapshot = {
            "phase": detail.phase,
            "nodes": {f"{n.node_id}/{n.attempt}": [n.phase, n.duration_seconds, n.items] for n in detail.nodes},
            "graph": {n.node_id: [n.phase, n.detail] for n in detail.graph.nodes},
        }
        return json.dumps(snapshot), detail.phase not in _ACTIVE

    return _stream(request, state, STATE_SECONDS, only_changes=True)


@router.get("/executions/{project}/{domain}/{name}/nodes/{node_id}/{attempt}/log/stream")
async def log_events(
    request: Request, platform: PlatformDep, project: str, domain: str, name: str, node_id: str, attempt: int
) -> StreamingResponse:
    engine: Engine = request.app.state.engine
    key = ExecutionKey(project, domain, name)
    sent = 0

    async def more() -> tuple[str, bool]:
        nonlocal sent
        detail = await platform.db.run(lambda s: execution_views.execution_detail(s, key))
        ended = detail.phase not in _ACTIVE or all(
            n.phase != "RUNNING" for n in detail.nodes if (n.node_id, n.attempt) == (node_id, attempt)
        )
        text = await anyio.to_thread.run_sync(engine.log, project, domain, name, node_id, attempt)
        chunk, sent = text[sent:], len(text)
        return json.dumps(chunk), ended

    return _stream(request, more, LOG_SECONDS, only_changes=False)


def _stream(
    request: Request, read: Callable[[], Awaitable[tuple[str, bool]]], period: float, *, only_changes: bool
) -> StreamingResponse:
    """`read` gives (JSON data, whether the stream is over). `only_changes`: data equal to
    the last sent is not sent again; otherwise only empty data ("") is skipped."""

    async def events() -> AsyncIterator[str]:
        last, quiet = None, 0.0
        while not await request.is_disconnected():
            data, ended = await read()
            if data != '""' and not (only_changes and data == last):
                yield f"data: {data}\n\n"
                last, quiet = data, 0.0
            elif quiet >= HEARTBEAT_SECONDS:
                yield ": still here\n\n"  # a comment keeps proxies from closing an idle stream
                quiet = 0.0
            if ended:
                yield "event: end\ndata: {}\n\n"
                return
            await asyncio.sleep(period)
            quiet += period

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
