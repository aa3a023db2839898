"""Putting files into a project's managed folder of the store, as an upload would."""

from __future__ import annotations

from pathlib import Path

from latchlike.launches.catalog import files_prefix
from latchlike.store import FileStore


def put_managed_file(store: FileStore, project: str, path: str, content: bytes, scratch: Path) -> str:
    """Store `content` at `path` in the project's folder; return its URI."""
    staged = scratch / "staged"
    staged.write_bytes(content)
    key = files_prefix(project) + path
    store.put_file(key, staged)
    return store.uri(key)
