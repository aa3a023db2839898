"""A BAM whose QC has run opens in the genome browser on the index that QC built: the first
view does not index the file again (minutes for a large BAM), and igv.js draws the reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser import browser_page
from tests.server import RunningServer, start_server
from tests.triggers.test_upload_qc import wait_for_qc
from tests.viewers.test_genome_browser import _alignments, _fasta, _genome, shows_the_first_reads

pytestmark = pytest.mark.slow
PROJECT = "flytesnacks"


@pytest.fixture
def server(tmp_path: Path, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path / "data")
    yield running
    running.stop()


def test_the_genome_browser_reuses_the_bai_the_qc_built(server: RunningServer, tmp_path: Path) -> None:
    genome = _genome()
    with httpx.Client(base_url=server.url + "/api/", timeout=30) as api:
        assert api.put(f"files/{PROJECT}/ref/genome.fa", content=_fasta(genome)).status_code == 201
        assert api.put(f"files/{PROJECT}/align/reads.bam", content=_alignments(genome, tmp_path)).status_code == 201
        assert wait_for_qc(api, PROJECT, "align/reads.bam")["qc"]["status"] == "done"
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/align/reads.bam?viewer=genome")
        page.wait_for_selector("#genome[data-ready=true]")
        shows_the_first_reads(page)
    assert "the bai of" in server.log() and "is the one its QC built" in server.log(), server.log()[-3000:]
