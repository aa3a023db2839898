"""`TusUploads` without HTTP, where a real server cannot be made to fail on cue: a store that
fails while the last byte is being recorded."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from latchlike.db import Database, migrate
from latchlike.errors import InternalError
from latchlike.files import service
from latchlike.store.local import LocalFileStore
from latchlike.uploads.tus import TusUploads, clean_uploads, destination, parse_metadata


class FailingOnce(LocalFileStore):
    """A local store whose first `put_file` fails, as an unreachable S3 server would."""

    failed = False

    def put_file(self, key: str, source: Path) -> None:
        if not self.failed:
            self.failed = True
            raise InternalError("the store is unreachable")
        super().put_file(key, source)


async def _body(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def test_a_last_byte_the_store_could_not_take_is_given_back_and_the_retry_records_it(
    tmp_path: Path, database: str
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(db.engine)
    uploads = TusUploads(db=db, store=FailingOnce(tmp_path / "store"), folder=tmp_path / "tus",
                         max_bytes=1000, expiry=timedelta(hours=1))  # fmt: skip
    metadata = "path " + base64.b64encode(b"runs/a.txt").decode()

    async def scenario() -> None:
        upload_id = await uploads.create("lab", 10, metadata)
        assert (await uploads.append("lab", upload_id, 0, _body(b"hello"))).recorded is None
        with pytest.raises(InternalError):
            await uploads.append("lab", upload_id, 5, _body(b"world"))
        status = await uploads.status("lab", upload_id)
        assert (status.offset, status.length) == (9, 10)  # not finished: the client resends the end
        with db.session() as session:
            assert service.find(session, "lab", "runs/a.txt") is None
        done = await uploads.append("lab", upload_id, 9, _body(b"d"))
        assert done.recorded is not None and done.recorded.sha256 == hashlib.sha256(b"helloworld").hexdigest()

    asyncio.run(scenario())
    assert (tmp_path / "store" / "files" / "lab" / "runs" / "a.txt").read_bytes() == b"helloworld"
    assert list((tmp_path / "tus").iterdir()) == []
    db.dispose()


def test_a_start_clears_partial_files_no_upload_owns(tmp_path: Path, database: str) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(db.engine)
    (tmp_path / "tus").mkdir()
    (tmp_path / "tus" / ("0" * 32)).write_bytes(b"orphan")  # killed between the file and its row
    clean_uploads(db, tmp_path / "tus")
    assert list((tmp_path / "tus").iterdir()) == []
    db.dispose()


def test_metadata_is_base64_pairs_and_names_the_destination() -> None:
    header = "path cnVucy9hLnR4dA==,overwrite MQ==,empty"
    assert parse_metadata(header) == {"path": "runs/a.txt", "overwrite": "1", "empty": ""}
    assert destination(parse_metadata(header)) == ("runs/a.txt", True)
    assert destination({"relativePath": "null", "filename": "b.txt"}) == ("b.txt", False)
