"""The execution page's answers to a waiting gate: approve or reject, or a typed value."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, status
from fastapi.responses import RedirectResponse

from latchlike.executions.service import ExecutionKey
from latchlike.executions.signals import set_signal_from_text
from latchlike.web.deps import DatabaseDep

router = APIRouter(include_in_schema=False)


@router.post("/executions/{project}/{domain}/{name}/signals/{signal_id}")
async def give_signal(
    db: DatabaseDep, project: str, domain: str, name: str, signal_id: str, value: Annotated[str, Form()]
) -> RedirectResponse:
    key = ExecutionKey(project, domain, name)
    await db.run(lambda s: set_signal_from_text(s, key, signal_id, value))
    return RedirectResponse(f"/executions/{project}/{domain}/{name}", status.HTTP_303_SEE_OTHER)
