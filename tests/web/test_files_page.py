"""What the file browser stands on, without a browser: the trash listing its Trash view reads,
and the Uppy it loads (the pinned bundle holds the @uppy packages the page needs, at 6.x)."""

from __future__ import annotations

import json

from latchlike.files import service
from latchlike.files.staging import StagedFile
from latchlike.files.trash import list_trash
from latchlike.platform import Platform
from latchlike.web.pages import STATIC_DIR


def _put(platform: Platform, path: str, data: bytes) -> None:
    staged = StagedFile(platform.staging_dir)
    staged.write(data)
    staged.finish()
    with platform.db.session() as session:
        service.put(session, platform.store, "lab", path, staged)


def test_the_trash_lists_each_deletion_once_newest_first(platform: Platform) -> None:
    _put(platform, "runs/a.fastq", b"@r\nA\n+\nI\n")
    _put(platform, "runs/b.fastq", b"@r\nC\n+\nI\n")
    _put(platform, "notes.txt", b"first")
    with platform.db.session() as session:
        service.trash(session, platform.store, "lab", "notes.txt")
    _put(platform, "notes.txt", b"second")
    with platform.db.session() as session:
        service.trash(session, platform.store, "lab", "notes.txt")
        service.trash(session, platform.store, "lab", "runs")  # its files go with it, listed as the folder
    with platform.db.session() as session:
        listed = list_trash(session, "lab")
        assert [(entry.path, entry.is_folder) for entry in listed] == [("runs", True), ("notes.txt", False)]
        assert listed[1].size == len(b"second")  # the newest deletion: the one `:restore` brings back
        assert list_trash(session, "other") == []
        service.restore(session, platform.store, "lab", "runs")
    with platform.db.session() as session:
        assert [entry.path for entry in list_trash(session, "lab")] == ["notes.txt"]


def test_the_vendored_uppy_bundle_holds_core_dashboard_and_tus_6() -> None:
    """The page needs Uppy's core, Dashboard, DropTarget and Tus; the `uppy` package's own
    bundle (vendored, pinned by hash in MANIFEST.json) says which versions it was built from."""
    bundled = json.loads((STATIC_DIR / "vendor" / "uppy" / "package.json").read_text())["dependencies"]
    for package in ("@uppy/core", "@uppy/dashboard", "@uppy/tus"):
        assert bundled[package].startswith("6."), (package, bundled[package])
    assert bundled["@uppy/drop-target"]
    script = (STATIC_DIR / "vendor" / "uppy" / "dist" / "uppy.min.js").read_text()
    assert "globalThis.Uppy=" in script
