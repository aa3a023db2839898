"""JSON for file pickers: a project's managed files a folder or a search at a time. The
launch page hands each picker its URL (`candidates_url`); the form itself inlines none."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from pydantic import BaseModel

from latchlike.files.catalog import MAX_LIMIT, CatalogEntry, RecordCatalog
from latchlike.web.deps import PlatformDep
from latchlike.web.errors import error_responses

router = APIRouter(prefix="/api/files", tags=["files"], responses=error_responses(400))
DEFAULT_LIMIT = 50


class Candidate(BaseModel):
    uri: str
    name: str
    path: str
    is_directory: bool
    size: int


class Candidates(BaseModel):
    folders: list[Candidate]
    entries: list[Candidate]
    truncated: bool


def candidates_url(project: str, *, kind: str, blob_format: str) -> str:
    return f"/api/files/{quote(project, safe='')}/candidates?" + urlencode({"kind": kind, "format": blob_format})


@router.get("/{project}/candidates")
async def file_candidates(
    platform: PlatformDep,
    project: str,
    kind: Literal["file", "directory"] = "file",
    format: str = "",
    q: str = "",
    folder: str = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Candidates:
    """Without `q`: the folder's subfolders and its files of `format`. With `q`: files (or,
    for `kind=directory`, folders) below `folder` whose path holds `q`, case-insensitive."""
    listing = await platform.db.run(
        lambda s: RecordCatalog(s, platform.store, project).browse(
            directory=kind == "directory", blob_format=format, folder=folder, query=q.strip(), limit=limit
        )
    )
    return Candidates(
        folders=[_candidate(entry) for entry in listing.folders],
        entries=[_candidate(entry) for entry in listing.entries],
        truncated=listing.truncated,
    )


def _candidate(entry: CatalogEntry) -> Candidate:
    return Candidate(uri=entry.uri, name=entry.name, path=entry.path, is_directory=entry.is_directory, size=entry.size)
