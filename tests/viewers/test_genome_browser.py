"""The genome browser as a biologist meets it: a BAM and a VCF opened in igv.js against a
FASTA uploaded to the same project, every byte through our own endpoints (indexes built on
demand), nothing from the internet."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyBigWig
import pysam
import pytest
from playwright.sync_api import Page

from latchlike.web.viewers import GENOME_POLICY
from tests.browser import browser_page
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
PROJECT = "flytesnacks"
CONTIGS = {"chr1": 5000, "chr2": 3000}
FIRST_READ = 2100  # 0-based: the BAM's reads all lie past the first 2 kb of chr1


def _genome(seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)
    return {name: "".join(rng.choice("ACGT") for _ in range(length)) for name, length in CONTIGS.items()}


def _fasta(genome: dict[str, str]) -> bytes:
    lines = []
    for name, sequence in genome.items():
        lines.append(f">{name} test contig")
        lines += [sequence[i : i + 60] for i in range(0, len(sequence), 60)]
    return ("\n".join(lines) + "\n").encode()


def _alignments(genome: dict[str, str], folder: Path, mode: str = "wb") -> bytes:
    """The same reads as BAM (`wb`) or as CRAM against the genome's FASTA (`wc`)."""
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": name, "LN": length} for name, length in CONTIGS.items()]}  # fmt: skip
    path = folder / ("reads.bam" if mode == "wb" else "reads.cram")
    reference = folder / "genome.fa"
    reference.write_bytes(_fasta(genome))
    with pysam.AlignmentFile(str(path), mode, header=header, reference_filename=str(reference)) as out:
        for index, start in enumerate(range(FIRST_READ, FIRST_READ + 400, 4)):
            read = pysam.AlignedSegment(out.header)
            read.query_name, read.flag, read.reference_id = f"read{index}", 0, 0
            read.reference_start, read.mapping_quality, read.cigarstring = start, 60, "50M"
            read.query_sequence = genome["chr1"][start : start + 50]
            read.query_qualities = pysam.qualitystring_to_array("I" * 50)
            out.write(read)
    return path.read_bytes()


def _bigwig(folder: Path) -> bytes:
    """A coverage-like signal over chr1's first 4 kb, as UCSC tools write bigWig."""
    path = folder / "signal.bw"
    with contextlib.closing(pyBigWig.open(str(path), "w")) as out:
        out.addHeader(list(CONTIGS.items()))
        starts = list(range(0, 4000, 100))
        out.addEntries(["chr1"] * len(starts), starts, ends=[s + 100 for s in starts],
                       values=[float(10 + (s // 100) % 7) for s in starts])  # fmt: skip
    return path.read_bytes()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("genome")
    genome = _genome()
    running = start_server(folder / "data", builtins=False)
    files = {
        "ref/genome.fa": _fasta(genome),
        "align/reads.bam": _alignments(genome, folder),
        "align/reads.cram": _alignments(genome, folder, "wc"),
        "tracks/signal.bw": _bigwig(folder),
        "calls/sample.vcf": b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        + f"chr2\t1500\tvar1\t{genome['chr2'][1499]}\tN\t50\tPASS\tDP=30\n".encode(),
    }
    try:
        for path, data in files.items():
            answer = httpx.put(f"{running.url}/api/files/{PROJECT}/{path}", content=data, timeout=30)
            assert answer.status_code == 201, answer.text
        yield running
    finally:
        running.stop()


def _drawn_pixels(page, track_type: str) -> int:  # type: ignore[no-untyped-def]
    """Non-blank pixels igv.js painted for the first track of `track_type`."""
    return int(
        page.evaluate(
            """(type) => {
              const view = window.genomeBrowser.trackViews.find((v) => v.track.type === type);
              let painted = 0;
              const canvases = view.viewports.flatMap((port) => [...port.viewportElement.querySelectorAll("canvas")]);
              for (const canvas of canvases) {
                const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
                for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
              }
              return painted;
            }""",
            track_type,
        )
    )


def shows_the_first_reads(page: Page) -> None:
    """igv.js opened the alignments at their first covered locus and drew the reads there."""
    page.wait_for_function("""() => window.genomeBrowser.trackViews.some((v) => v.track.type === "alignment")""")
    locus = page.evaluate("[].concat(window.genomeBrowser.currentLoci())[0]")
    assert locus.startswith(("chr1:2,10", "chr1:2101")), locus
    page.wait_for_timeout(1500)  # igv draws once the reads arrive
    assert _drawn_pixels(page, "alignment") > 1000


def test_a_bam_opens_at_its_reads_against_the_uploaded_fasta(server: RunningServer) -> None:
    requested: list[str] = []
    with browser_page() as page:
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{server.url}/view/{PROJECT}/align/reads.bam")
        page.wait_for_selector("#genome[data-ready=true]")
        assert page.input_value("#reference-choice select") == "ref/genome.fa"
        shows_the_first_reads(page)
    assert all(url.startswith(server.url) for url in requested), [u for u in requested if not u.startswith(server.url)]
    assert any("/index/flytesnacks/align/reads.bam?kind=bai" in url for url in requested)
    assert any("/index/flytesnacks/ref/genome.fa?kind=fai" in url for url in requested)


def test_a_cram_opens_at_its_reads_decoded_against_the_reference(server: RunningServer) -> None:
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/align/reads.cram")
        page.wait_for_selector("#genome[data-ready=true]")
        shows_the_first_reads(page)


def test_a_bigwig_draws_its_signal(server: RunningServer) -> None:
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/tracks/signal.bw")
        page.wait_for_selector("#genome[data-ready=true]")
        page.evaluate("window.genomeBrowser.search('chr1:1-4000')")
        page.wait_for_timeout(1500)
        assert _drawn_pixels(page, "wig") > 200


def test_a_vcf_opens_at_its_first_variant(server: RunningServer) -> None:
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/calls/sample.vcf?viewer=genome")
        page.wait_for_selector("#genome[data-ready=true]")
        assert page.evaluate("[].concat(window.genomeBrowser.currentLoci())[0]").startswith("chr2:")


def test_indexes_answer_like_samtools_and_bad_requests_are_refused(server: RunningServer, tmp_path: Path) -> None:
    fai = httpx.get(f"{server.url}/index/{PROJECT}/ref/genome.fa", params={"kind": "fai"})
    local = tmp_path / "genome.fa"
    local.write_bytes(httpx.get(f"{server.url}/api/files/{PROJECT}/ref/genome.fa", params={"download": 1}).content)
    pysam.faidx(str(local))
    assert fai.status_code == 200 and fai.text == (tmp_path / "genome.fa.fai").read_text()
    wrong = httpx.get(f"{server.url}/index/{PROJECT}/ref/genome.fa", params={"kind": "bai"})
    assert wrong.status_code == 400 and "no 'bai' index" in wrong.text
    genome_page = httpx.get(f"{server.url}/view/{PROJECT}/align/reads.bam")
    assert genome_page.headers.get_list("content-security-policy") == [GENOME_POLICY]  # its own, alone
    assert (
        "wasm-unsafe-eval"
        not in httpx.get(f"{server.url}/view/{PROJECT}/calls/sample.vcf").headers["content-security-policy"]
    )  # only the genome viewer compiles WebAssembly (igv.js's CRAM decoder)
    stranger = httpx.get(f"{server.url}/view/{PROJECT}/align/reads.bam", params={"reference": "../etc/passwd"})
    assert stranger.status_code == 400 and "not a FASTA file" in stranger.text
