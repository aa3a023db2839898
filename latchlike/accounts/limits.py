"""How large an upload a workspace takes: its own `max_upload_bytes`, else the server's.

Every way a file comes in asks here with the project it goes to (HTTP PUT, tus, signed
upload URLs, `latchlike files add`), so one number decides them all.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.tables import WorkspaceRow
from latchlike.db import begin_writing
from latchlike.errors import InvalidArgument, NotFound, PayloadTooLarge
from latchlike.specs.tables import ProjectRow

__all__ = ["check_size", "set_upload_limit", "upload_limit", "workspace_limit"]


def upload_limit(session: Session, project: str, default: int) -> int:
    """The limit of `project`'s workspace; `default` (the server's) when it sets none, or
    when the project does not exist yet (it will be made in a workspace without a limit)."""
    own = session.scalar(
        select(WorkspaceRow.max_upload_bytes)
        .join(ProjectRow, ProjectRow.workspace_id == WorkspaceRow.id)
        .where(ProjectRow.id == project)
    )
    return default if own is None else own


def workspace_limit(session: Session, workspace: str) -> int | None:
    """The workspace's own limit; None: the server's applies."""
    row = session.get(WorkspaceRow, workspace)
    if row is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    return row.max_upload_bytes


def set_upload_limit(session: Session, workspace: str, max_upload_bytes: int | None) -> None:
    """None: the server's limit applies again."""
    if max_upload_bytes is not None and max_upload_bytes <= 0:
        raise InvalidArgument("max_upload_bytes must be a positive number of bytes (or null: the server's limit)")
    begin_writing(session)
    row = session.get(WorkspaceRow, workspace)
    if row is None:
        raise NotFound(f"workspace {workspace!r} does not exist")
    row.max_upload_bytes = max_upload_bytes


def check_size(size: int, limit: int) -> None:
    """PayloadTooLarge naming the limit when `size` bytes (all of them, or those so far) are over it."""
    if size > limit:
        raise PayloadTooLarge(f"the upload is over the upload limit of {limit} bytes of this project's workspace")
