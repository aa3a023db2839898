"""QC over HTTP: a project's rules (`/api/projects/<project>/qc-rules`, list/create/update/
delete) and re-running one file's QC (`POST /api/files/<project>/<path>:qc`). A rule naming
a built-in workflow registers the built-ins into the project first, so it can be checked."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy.orm import Session

from latchlike.builtins import register_builtin_workflows
from latchlike.files import service as files
from latchlike.files.paths import check_path
from latchlike.platform import Platform
from latchlike.triggers import rules
from latchlike.triggers import state as qc_state
from latchlike.triggers.outbox import enqueue
from latchlike.triggers.qc_info import QcInfo
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import DatabaseDep, PlatformDep
from latchlike.web.errors import error_responses

router = APIRouter(prefix="/api", tags=["qc"], responses=error_responses(400, 404))
RULES = "/projects/{project}/qc-rules"
RuleId = Annotated[int, Path(ge=1, le=2**63 - 1)]
"""A database id: a larger number is refused (422) before it reaches the database."""


@router.get(RULES)
async def list_rules(db: DatabaseDep, project: str) -> list[rules.Rule]:
    """The project's rules, then the built-in defaults its rules do not replace (`default: true`)."""
    return await db.run(lambda s: rules.list_rules(s, project))


@router.post(RULES, status_code=201, responses=error_responses(409))
async def create_rule(platform: PlatformDep, project: str, spec: rules.RuleSpec) -> rules.Rule:
    """A new rule, checked: its workflow exists here with one required file or directory
    input, and its parameters fit (400 otherwise); 409 if the kind and glob have one."""
    await _builtins_for(platform, project, spec)
    return await platform.db.run(lambda s: rules.create_rule(s, project, spec))


@router.put(RULES + "/{rule_id}", responses=error_responses(409))
async def update_rule(platform: PlatformDep, project: str, rule_id: RuleId, spec: rules.RuleSpec) -> rules.Rule:
    """Replace a rule, checked as when created."""
    await _builtins_for(platform, project, spec)
    return await platform.db.run(lambda s: rules.update_rule(s, project, rule_id, spec))


@router.delete(RULES + "/{rule_id}", status_code=204)
async def delete_rule(db: DatabaseDep, project: str, rule_id: RuleId) -> Response:
    """Delete a rule; the default for its kind applies again."""
    await db.run(lambda s: rules.delete_rule(s, project, rule_id))
    return Response(status_code=204)


@router.post("/files/{project}/{path:path}:qc", status_code=202)
async def rerun_qc(platform: PlatformDep, principal: PrincipalDep, project: str, path: str) -> QcInfo:
    """Run the file's QC again, even if the same content ran already (202: queued), as the caller."""
    path = check_path(path)

    def ask(session: Session) -> QcInfo:
        row = files.get(session, project, path)
        enqueue(session, row, force=True, requested_by=principal.name)
        return qc_state.file_qc(session, platform.store, row.id)

    return await platform.db.run(ask)


async def _builtins_for(platform: Platform, project: str, spec: rules.RuleSpec) -> None:
    if spec.enabled and rules.is_builtin(spec.workflow) and platform.settings.register_builtin_workflows:
        await asyncio.to_thread(register_builtin_workflows, platform, project)
