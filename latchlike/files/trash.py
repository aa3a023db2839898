"""What a project's trash holds, for the file browser's Trash view: each deleted file or
folder as it was deleted (a folder's contents went with it), newest first. Restoring and
purging are `service.restore` and `service.purge`, which act on the newest deletion at a
path, so only that one is listed per path."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.files.tables import ManagedFileRow

TRASH_LIMIT = 1000


class TrashedEntry(BaseModel):
    path: str
    """Where it was, and where `:restore` brings it back."""
    name: str
    is_folder: bool
    size: int
    kind: str | None
    trashed_at: datetime


def list_trash(session: Session, project: str, *, limit: int = TRASH_LIMIT) -> list[TrashedEntry]:
    """The newest `limit` deletions of distinct paths, newest first."""
    rows = session.scalars(
        select(ManagedFileRow)
        .where(ManagedFileRow.project == project, ManagedFileRow.trashed_at.is_not(None),
               ManagedFileRow.trash_id == ManagedFileRow.id)
        .order_by(ManagedFileRow.trashed_at.desc(), ManagedFileRow.id.desc())
    )  # fmt: skip
    listed: dict[str, TrashedEntry] = {}
    for row in rows:
        if row.path not in listed and row.trashed_at is not None:
            listed[row.path] = TrashedEntry(
                path=row.path, name=row.name, is_folder=row.is_folder, size=row.size, kind=row.kind,
                trashed_at=row.trashed_at,
            )  # fmt: skip
            if len(listed) == limit:
                break
    return list(listed.values())
