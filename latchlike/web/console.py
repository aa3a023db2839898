"""FlyteConsole's URLs, which pyflyte and FlyteRemote print (`console.endpoint` + `/console/...`),
redirected to the pages that show the same thing here."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

router = APIRouter(prefix="/console/projects/{project}/domains/{domain}", include_in_schema=False)


@router.get("/executions/{name}")
def execution(project: str, domain: str, name: str) -> RedirectResponse:
    return RedirectResponse(f"/executions/{_path(project, domain, name)}")


@router.get("/workflow/{name}/version/{version}")
def workflow(project: str, domain: str, name: str, version: str) -> RedirectResponse:
    return RedirectResponse(f"/workflows/{_path(project, domain, name)}?{urlencode({'version': version})}")


def _path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)
