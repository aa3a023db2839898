"""Pages a person opens: the workflow list and one page per workflow."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from latchlike.accounts.access import visible_projects
from latchlike.specs import views
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import DatabaseDep
from latchlike.web.markdown import render_markdown
from latchlike.web.templating import render

STATIC_DIR = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/workflows")


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """Browsers ask for it on pages with no icon link (a plain-text log); a 404 is a console error."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


@router.get("/workflows", response_class=HTMLResponse)
async def workflow_list(
    request: Request, db: DatabaseDep, principal: PrincipalDep, q: str = "", tag: str = ""
) -> HTMLResponse:
    """`q` searches names, titles and descriptions; `tag` keeps the workflows with that tag;
    only the projects the caller may read."""
    catalog = await db.run(
        lambda s: views.workflow_catalog(s, text=q, tag=tag, projects=visible_projects(s, principal))
    )
    return await render(request, "workflows.html", {"catalog": catalog, "q": q, "tag": tag})


@router.get("/workflows/{project}/{domain}/{name}", response_class=HTMLResponse)
async def workflow_page(
    request: Request, db: DatabaseDep, project: str, domain: str, name: str, version: str | None = None
) -> HTMLResponse:
    key = NamedEntityKey(ResourceKind.WORKFLOW, project, domain, name)
    detail = await db.run(lambda s: views.workflow_detail(s, key, version))
    context = {"workflow": detail, "description_html": render_markdown(detail.long_description)}
    return await render(request, "workflow.html", context)
