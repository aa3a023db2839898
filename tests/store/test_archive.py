"""A store folder streams as one tar, chunk by chunk, and reads back exactly."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from latchlike.store.archive import CHUNK, folder_entries, tar_stream
from latchlike.store.local import LocalFileStore


def test_a_folder_streams_as_a_tar_in_bounded_chunks(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "store")
    contents = {
        "run/a.txt": b"a" * 511,
        "run/deep/b.fq": b"@r\nACGT\n+\nIIII\n",
        "run/deep/big.bin": bytes(range(256)) * (CHUNK // 256 * 2 + 3),
        "run/empty": b"",
        "other/c.txt": b"not in the folder",
    }
    for key, data in contents.items():
        source = tmp_path / "source"
        source.write_bytes(data)
        store.put_file(key, source)
    entries = folder_entries(store, "run")
    chunks = list(tar_stream(store, "run", entries))
    assert max(len(chunk) for chunk in chunks) <= CHUNK  # never the whole folder in memory
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as archive:
        read = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]
    assert read == {key: data for key, data in contents.items() if key.startswith("run/")}


def test_a_key_that_is_not_a_folder_has_no_entries(tmp_path: Path) -> None:
    assert folder_entries(LocalFileStore(tmp_path), "nothing/here") == []
