"""Putting files into a project's managed folder of the store, as an upload would."""

from __future__ import annotations

from pathlib import Path

from latchlike.files.managed import add_file
from latchlike.store import FileStore


def put_managed_file(store: FileStore, project: str, path: str, content: bytes, scratch: Path) -> str:
    """Store `content` at `path` in the project's folder; return its URI."""
    staged = scratch / "staged"
    staged.write_bytes(content)
    return add_file(store, project, staged, path, staging_dir=scratch / "staging")
