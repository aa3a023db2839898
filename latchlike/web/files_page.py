"""The file browser a person opens per project (`/files/<project>/<folder...>`), and the
trash listing its Trash view reads. The page is a shell: files.js lists, sorts, moves and
uploads through the JSON file API (`/api/files`) and tus (`/api/tus`), so the page and
scripts see one behaviour."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from latchlike.accounts.access import visible_projects
from latchlike.files.kinds_set import SETTABLE
from latchlike.files.paths import check_path
from latchlike.files.trash import TrashedEntry, list_trash
from latchlike.specs import projects
from latchlike.web.auth import PrincipalDep
from latchlike.web.deps import DatabaseDep
from latchlike.web.templating import render

router = APIRouter()


@router.get("/files", response_class=HTMLResponse, include_in_schema=False)
async def files_index(request: Request, db: DatabaseDep, principal: PrincipalDep) -> HTMLResponse:
    """Every project the caller may read, each a way into its files."""
    found = await db.run(lambda s: projects.list_projects(s, visible_projects(s, principal)))
    return await render(request, "files_index.html", {"projects": found})


@router.get("/files/{project}", response_class=HTMLResponse, include_in_schema=False)
@router.get("/files/{project}/{folder:path}", response_class=HTMLResponse, include_in_schema=False)
async def files_browser(request: Request, project: str, folder: str = "") -> HTMLResponse:
    """The browser opened on `folder`. Like the file API, it takes any project name (files
    need no registered project); a missing folder is reported by the page, from the API."""
    folder = check_path(folder, root_allowed=True)
    quoted = quote(project, safe="")
    config = {"project": project, "folder": folder, "files_api": "/api/files", "tus": f"/api/tus/{quoted}",
              "trash_api": f"/api/trash/{quoted}", "page": f"/files/{quoted}", "viewer": f"/view/{quoted}",
              "kinds": list(SETTABLE)}  # fmt: skip
    return await render(request, "files.html", {"project": project, "config": config})


@router.get("/api/trash/{project}", tags=["files"])
async def trash_listing(db: DatabaseDep, project: str) -> list[TrashedEntry]:
    """What the project's trash holds, newest first: restore one with
    `POST /api/files/<project>/<path>:restore`."""
    return await db.run(lambda s: list_trash(s, project))
