"""Where each file of an execution opens in a viewer (`/view/<project>/<path>`): an input
that is a live managed file at its own path, an output file below `.executions`. The links
are stable: they name paths, not store keys."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.files import outputs
from latchlike.files.tables import ManagedFileRow

INPUT, OUTPUT = "input", "output"


def view_urls(session: Session, execution: ExecutionRow, files: Sequence[ExecutionFileRow]) -> dict[int, str]:
    """File row id → its viewer's URL, for the rows that have one (not directories, nor URIs
    outside the store, nor inputs that are no longer live managed files)."""
    urls: dict[int, str] = {}
    wanted: dict[str, dict[str, int]] = {}  # project → path → row id, for inputs
    for row in files:
        if row.key is None or row.folder:
            continue
        if row.direction == OUTPUT and row.node_id:
            urls[row.id] = _url(execution.project, outputs.file_path(execution, row))
        elif row.direction == INPUT and row.key.startswith("files/"):
            project, _, path = row.key.removeprefix("files/").partition("/")
            if path:
                wanted.setdefault(project, {})[path] = row.id
    for project, by_path in wanted.items():
        live = select(ManagedFileRow.path).where(
            ManagedFileRow.project == project, ManagedFileRow.path.in_(by_path), ManagedFileRow.trashed_at.is_(None),
            ManagedFileRow.is_folder.is_(False),
        )  # fmt: skip
        for path in session.scalars(live):
            urls[by_path[path]] = _url(project, path)
    return urls


def _url(project: str, path: str) -> str:
    return f"/view/{quote(project, safe='')}/{quote(path)}"
