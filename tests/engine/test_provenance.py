"""Every file an execution was given, and every file a node wrote, is recorded with its
checksum and, for outputs, the node that wrote it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from latchlike.executions.tables import ExecutionFileRow, ExecutionRow
from latchlike.platform import Platform
from tests.engine.running import launch, run_until_done
from tests.ui_gen.files import put_managed_file

pytestmark = pytest.mark.slow


def _files(platform: Platform, execution: ExecutionRow) -> list[tuple[str, str, str | None, str | None, int | None]]:
    with platform.db.session() as session:
        rows = session.scalars(select(ExecutionFileRow).where(ExecutionFileRow.execution_id == execution.id))
        return [(r.direction, r.name, r.node_id, r.sha256, r.size) for r in rows]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_output_file_records_the_node_that_wrote_it_and_its_checksum(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.basic.files", {"n": 3}), warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    written = b"read0\nread1\nread2\n"
    assert _files(registered, execution) == [("output", "o0", "n0", _sha256(written), len(written))]


def test_an_input_file_is_recorded_with_its_checksum(registered: Platform, tmp_path: Path) -> None:
    content = b"@r1\nACGT\n+\n!!!!\n"
    uri = put_managed_file(registered.store, "flytesnacks", "runs/reads.fastq", content, tmp_path)
    execution = run_until_done(registered, launch(registered, "pipelines.basic.count_file", {"reads": uri}))
    assert execution.phase == "SUCCEEDED", execution.error
    assert _files(registered, execution) == [("input", "reads", None, _sha256(content), len(content))]


def test_a_directory_checksum_covers_each_files_name_and_content(registered: Platform) -> None:
    execution = run_until_done(registered, launch(registered, "pipelines.shapes.folders", {"n": 2}), warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    files = {f"sample{i}.txt": f"sample {i}\n".encode() * (i + 1) for i in range(2)}
    listing = "".join(f"{name} {_sha256(data)}\n" for name, data in sorted(files.items()))
    size = sum(len(data) for data in files.values())
    assert _files(registered, execution) == [("output", "o0", "n0", _sha256(listing.encode()), size)]
