"""The QC rules page of a project: the table and the editor are drawn by `static/qc_rules.js`
from the JSON API (`web/qc_api.py`); the page itself carries the project and the kinds to pick."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from latchlike.files.kinds import KINDS
from latchlike.files.paths import live_key
from latchlike.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/projects/{project}/qc-rules", response_class=HTMLResponse)
async def qc_rules_page(request: Request, project: str) -> HTMLResponse:
    live_key(project, "x")  # a name no project can have is refused here, not by the script later
    return await render(request, "qc_rules.html", {"project": project, "kinds": list(KINDS)})
