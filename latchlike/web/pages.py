"""Pages a person opens: the workflow list and one page per workflow."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from latchlike.specs import views
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from latchlike.web.deps import SessionDep
from latchlike.web.markdown import render_markdown
from latchlike.web.templating import templates

STATIC_DIR = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/workflows")


@router.get("/workflows", response_class=HTMLResponse)
def workflow_list(request: Request, session: SessionDep, q: str = "", tag: str = "") -> HTMLResponse:
    """`q` searches names, titles and descriptions; `tag` keeps the workflows with that tag."""
    catalog = views.workflow_catalog(session, text=q, tag=tag)
    return templates.TemplateResponse(request, "workflows.html", {"catalog": catalog, "q": q, "tag": tag})


@router.get("/workflows/{project}/{domain}/{name}", response_class=HTMLResponse)
def workflow_page(
    request: Request, session: SessionDep, project: str, domain: str, name: str, version: str | None = None
) -> HTMLResponse:
    detail = views.workflow_detail(session, NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name), version)
    return templates.TemplateResponse(
        request,
        "workflow.html",
        {"workflow": detail, "description_html": render_markdown(detail.long_description)},
    )
