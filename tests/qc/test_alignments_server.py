"""QC on upload against a real server: a BAM put through `PUT /api/files` runs the built-in
`alignments_qc` as its own process, and the file's JSON turns `done` with the summary
(counts as `samtools flagstat` records them, the index built); a truncated BAM ends
`failed` saying after which record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.qc import alignment_fixtures as fixtures
from tests.server import RunningServer, start_server
from tests.triggers.test_upload_qc import wait_for_qc

pytestmark = pytest.mark.slow
RECORDED = Path(__file__).parents[1] / "fixtures" / "alignments"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data")
    yield running
    running.stop()


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api/", timeout=30) as client:
        yield client


def test_an_uploaded_bam_gets_its_alignment_qc(api: httpx.Client, tmp_path: Path) -> None:
    assert api.put("files/lab/aligned/small.bam", content=(RECORDED / "small.bam").read_bytes()).status_code == 201
    qc = wait_for_qc(api, "lab", "aligned/small.bam")["qc"]
    assert qc["status"] == "done", qc
    s = qc["summary"]
    assert (s["schema"], s["file"], s["format"]) == ("latchlike.qc.alignments/1", "small.bam", "BAM")
    assert (s["total"], s["primary_mapped"], s["properly_paired"], s["singletons"]) == (10, 6, 2, 1)
    assert (s["indexed"], s["not_indexed_because"]) == (True, None), s["not_indexed_because"]
    execution = api.get(f"executions/{qc['execution']}").json()
    assert execution["workflow"] == "workflows.qc_alignments.alignments_qc"

    whole = fixtures.many(tmp_path / "whole.bam", 20_000).read_bytes()
    assert api.put("files/lab/aligned/cut.bam", content=whole[: len(whole) // 2]).status_code == 201
    failed = wait_for_qc(api, "lab", "aligned/cut.bam")["qc"]
    assert failed["status"] == "failed", failed
    assert "unreadable after record" in str(failed)
