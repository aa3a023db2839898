"""A person's word on what a file is, over detection's: the kind is set on the record (so QC
rules, viewers and pickers all see it) and the file's QC runs again for its new kind."""

from __future__ import annotations

from sqlalchemy.orm import Session

from latchlike.db import begin_writing
from latchlike.errors import InvalidArgument
from latchlike.files.kinds import KINDS, UNKNOWN
from latchlike.files.paths import check_path, check_writable
from latchlike.files.service import get
from latchlike.files.tables import ManagedFileRow
from latchlike.triggers.outbox import enqueue

SETTABLE = (*KINDS, UNKNOWN)
"""The kinds a person may choose: those detection knows, or `unknown` (no viewer, no QC)."""


def set_kind(session: Session, project: str, path: str, kind: str) -> ManagedFileRow:
    """Set the file's kind; a change queues its QC (the rule is chosen by kind)."""
    if kind not in SETTABLE:
        raise InvalidArgument(f"kind {kind!r} is not one latchlike knows; use one of {', '.join(SETTABLE)}")
    path = check_path(path)
    check_writable(path)
    begin_writing(session)
    row = get(session, project, path)
    if row.is_folder:
        raise InvalidArgument(f"{path!r} is a folder: only a file has a kind")
    changed = row.kind != kind
    row.kind, row.kind_detected = kind, False
    session.flush()
    if changed:
        enqueue(session, row)
    return row
