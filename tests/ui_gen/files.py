"""Putting files into a project's managed folder of the store, as another tool would: the
object only, no record (validation looks objects up in the store)."""

from __future__ import annotations

from pathlib import Path

from latchlike.files.managed import managed_key
from latchlike.store import FileStore


def put_managed_file(store: FileStore, project: str, path: str, content: bytes, scratch: Path) -> str:
    """Store `content` at `path` in the project's folder; return its URI."""
    scratch.mkdir(parents=True, exist_ok=True)
    staged = scratch / "staged"
    staged.write_bytes(content)
    key = managed_key(project, path)
    store.put_file(key, staged)
    return store.uri(key)
