"""A project's managed files as pickers browse them: a folder at a time, or by search, and
never outside the project's folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from latchlike.db import Database, migrate
from latchlike.errors import InvalidArgument
from latchlike.files.catalog import RecordCatalog, StoreCatalog
from latchlike.files.reconcile import reconcile
from latchlike.store.local import LocalFileStore


@pytest.fixture(params=["store", "records"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path, database: str) -> Iterator[StoreCatalog | RecordCatalog]:
    """The same files as the store scan sees them and as the records (filled by the start's
    reconcile) give them to pickers: both must answer alike."""
    store = LocalFileStore(tmp_path / "store")
    for key in [
        "files/lab/top.fastq",
        "files/lab/run1/a.fq.gz",
        "files/lab/run1/b.csv",
        "files/lab/run1/deep/c.fastq",
        "files/other/secret.fastq",
    ]:
        path = store.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    if request.param == "store":
        yield StoreCatalog(store, "lab")
        return
    db = Database(f"sqlite:///{tmp_path / 'catalog.db'}")
    migrate(db.engine)
    assert reconcile(db, store).recorded == 5
    with db.session() as session:
        yield RecordCatalog(session, store, "lab")
    db.dispose()


def _paths(entries: list) -> list[str]:  # type: ignore[type-arg]
    return [entry.path for entry in entries]


def test_a_folder_lists_its_subfolders_and_its_own_files_of_the_format(catalog: StoreCatalog | RecordCatalog) -> None:
    root = catalog.browse(directory=False, blob_format="fastq")
    assert (_paths(root.folders), _paths(root.entries), root.truncated) == (["run1"], ["top.fastq"], False)
    run1 = catalog.browse(directory=False, blob_format="fastq", folder="run1")
    assert (_paths(run1.folders), _paths(run1.entries)) == (["run1/deep"], ["run1/a.fq.gz"])


def test_a_search_finds_below_the_folder_and_pages(catalog: StoreCatalog | RecordCatalog) -> None:
    found = catalog.browse(directory=False, blob_format="fastq", query="C.FASTQ")
    assert (_paths(found.folders), _paths(found.entries)) == ([], ["run1/deep/c.fastq"])
    limited = catalog.browse(directory=False, blob_format="", query="run1", limit=2)
    assert (len(limited.entries), limited.truncated) == (2, True)


def test_directory_pickers_offer_folders_at_every_depth(catalog: StoreCatalog | RecordCatalog) -> None:
    assert _paths(catalog.browse(directory=True, blob_format="", query="r").entries) == ["run1", "run1/deep"]
    assert _paths(catalog.browse(directory=True, blob_format="", folder="run1").entries) == ["run1/deep"]


def test_no_folder_reaches_outside_the_project(catalog: StoreCatalog | RecordCatalog) -> None:
    with pytest.raises(InvalidArgument):
        catalog.browse(directory=False, blob_format="", folder="../other")
    assert "secret" not in str(catalog.browse(directory=False, blob_format="", query="secret"))


def test_a_name_the_store_cannot_address_does_not_break_the_picker(tmp_path: Path) -> None:
    """A file put in the store's folder by hand with a control character in its name is
    left out; every other file is still offered."""
    store = LocalFileStore(tmp_path / "store")
    runs = store.root / "files" / "lab" / "runs"
    runs.mkdir(parents=True)
    (runs / "reads.fastq").write_bytes(b"@r\nA\n+\nI\n")
    (runs / "bad\x1bname.fastq").write_bytes(b"@r\nA\n+\nI\n")
    catalog = StoreCatalog(store, "lab")
    assert _paths(catalog.browse(directory=False, blob_format="", folder="runs").entries) == ["runs/reads.fastq"]
    assert _paths(catalog.browse(directory=True, blob_format="").entries) == ["runs"]
