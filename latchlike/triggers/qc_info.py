"""A file's QC state as its JSON shows it (kept apart so `files.service` can name it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Status = Literal["queued", "running", "done", "failed", "none"]


class QcInfo(BaseModel):
    status: Status
    execution: str | None = None
    """`<project>/<domain>/<name>` of the QC execution (shared by files of the same content)."""
    summary: dict[str, Any] | None = None
    """The workflow's `summary` output, parsed (files only, once done)."""
    report: str | None = None
    """Where to download the workflow's `report` output (files only, once done)."""
    message: str | None = None
    """Why it failed (the task's error), or why no QC applies."""
