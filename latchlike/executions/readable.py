"""Which files a project may hand to an execution: the one rule every launch path applies
(gRPC CreateExecution, relaunch and recover, launch-plan nodes, and the form and JSON launch
through `files.catalog`), so no execution of project A is ever given B's data to read back.

In this server's storage a project reads only its own: its managed files (`files/<p>/`), its
uploads (`uploads/<p>/`: what `pyflyte run --remote` uploads for local files, and its code
bundles) and its executions' data (`executions/<p>/`). Anything else there (another
project's, the trash) and any path on the server's own disk outside the store is refused.
A URI of other storage (someone's bucket, an http URL) is the task's own business: the
server serves none of it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flyteidl.core import literals_pb2

from latchlike.errors import InvalidArgument
from latchlike.executions.provenance import blob_uris
from latchlike.store import FileStore

__all__ = ["PROJECT_ROOTS", "check_readable_inputs", "readable_key", "unreadable_reason"]

PROJECT_ROOTS = frozenset({"files", "uploads", "executions"})
"""Top folders of the store whose next level is the project that owns what is below."""


def readable_key(project: str, key: str) -> bool:
    """Whether `project` may read store key `key` (a file or folder below one of its roots)."""
    root, owner, rest = [*key.split("/", 2), "", ""][:3]
    return root in PROJECT_ROOTS and owner == project and bool(rest.strip("/"))


def unreadable_reason(store: FileStore, project: str, uri: str) -> str | None:
    """Why `project` may not use `uri`, or None if it may."""
    key = store.key_of(uri)
    if key is not None:
        if readable_key(project, key):
            return None
        return f"is not in project {project!r}: its own files, uploads and execution outputs only"
    parsed = urlsplit(uri)
    ours = urlsplit(store.uri("key"))
    if parsed.scheme in ("", "file") or (parsed.scheme, parsed.netloc) == (ours.scheme, ours.netloc):
        return "is a place on the server outside its file store, which no execution may read"
    return None


def check_readable_inputs(store: FileStore, project: str, inputs: literals_pb2.LiteralMap) -> None:
    """Raises InvalidArgument naming the first input (and where inside it) that `project` may not use."""
    for where, uri in blob_uris(inputs):
        reason = unreadable_reason(store, project, uri)
        if reason:
            raise InvalidArgument(f"input {where!r}: {uri!r} {reason}")
