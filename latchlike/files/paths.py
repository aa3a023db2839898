"""Paths of managed files as clients write them: `folder/sub/name`, relative to the
project's folder. Anything that could climb out of it or hide characters is refused with a
message saying which part and why; the store keys are built from checked paths only."""

from __future__ import annotations

import re

from latchlike.errors import InvalidArgument, PermissionDenied
from latchlike.store.keys import check_key

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_PART_BYTES = 255
OUTPUTS_FOLDER = ".executions"
"""Each project's read-only folder of execution outputs (`outputs.py`): no managed file goes there."""


def check_path(path: str, *, root_allowed: bool = False) -> str:
    """The path without a trailing slash; '' (the project's top) only if `root_allowed`."""
    if path.startswith("/"):
        raise InvalidArgument(f"{path!r} is absolute: give a path below the project's folder, like 'runs/reads.fastq'")
    trimmed = path.removesuffix("/")
    if not trimmed:
        if root_allowed:
            return ""
        raise InvalidArgument("a path below the project's folder is needed here, not the folder itself")
    for part in trimmed.split("/"):
        if part in ("", ".", ".."):
            raise InvalidArgument(f"{path!r} has an empty, '.' or '..' part: paths cannot climb or skip folders")
        if _CONTROL.search(part) or "\\" in part:
            raise InvalidArgument(f"{path!r} holds a control character or backslash, which no file name may")
        if len(part.encode()) > _MAX_PART_BYTES:
            raise InvalidArgument(f"{part[:40]!r}… is longer than {_MAX_PART_BYTES} bytes")
    return trimmed


def live_key(project: str, path: str) -> str:
    """Where a live file's object is: the key tasks, pickers and `files add` have always used."""
    return check_key(f"files/{project}/{path}")


def trash_key(project: str, trash_id: int, relative: str) -> str:
    """Where a trashed file's object waits: out of the project's folder, so no picker offers it."""
    return check_key(f"trash/{project}/{trash_id}/{relative}")


def split(path: str) -> tuple[str, str]:
    """(parent folder, name); the parent is '' at the top."""
    parent, _, name = path.rpartition("/")
    return parent, name


def parents(path: str) -> list[str]:
    """Every folder above `path`, outermost first."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def is_outputs(path: str) -> bool:
    """Whether a checked path is the executions' outputs folder or below it."""
    return path == OUTPUTS_FOLDER or path.startswith(OUTPUTS_FOLDER + "/")


def check_writable(*paths: str) -> None:
    """Nothing is put, moved, deleted or restored in the outputs' folder: it shows what
    executions wrote, and those objects belong to them."""
    for path in paths:
        if is_outputs(path.strip("/")):
            raise PermissionDenied(
                f"{path!r} is in {OUTPUTS_FOLDER}/, the executions' outputs, which are read-only: download a "
                "file from there, or PUT a copy into a folder of your own"
            )
