"""Looking at files as a biologist does, in Chromium with every off-machine request refused:
a gzipped FASTQ with a wrong name lists its reads, a 100,000-row CSV pages and sorts, a VCF
lists its variants, a PNG shows, and an HTML report runs its scripts without reaching the
app's cookies or pages."""

from __future__ import annotations

import gzip
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser import browser_page
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
PROJECT = "flytesnacks"
REPORT = b"""<!doctype html><html><head><title>QC report</title></head><body>
<p id="result">not run</p>
<script>
  let seen;
  try { seen = "cookie:" + document.cookie; } catch (error) { seen = "blocked:" + error.name; }
  try { seen += " parent:" + parent.document.title; } catch (error) { seen += " parent-blocked:" + error.name; }
  document.getElementById("result").textContent = seen;
</script></body></html>"""


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4)))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


FILES = {
    "runs/sample.dat": gzip.compress(b"".join(b"@read%d/1\nACGTACGTNN\n+\nIIIIIHHH##\n" % i for i in range(500))),
    "tables/big.csv": b"sample,reads,site\n"
    + b"".join(b"s%06d,%d,lab%d\n" % (i, (i * 7919) % 100003, i % 7) for i in range(100_000)),
    "calls.vcf": b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    b"chr1\t10177\trs367896724\tA\tAC\t100\tPASS\tAF=0.4\nchr2\t500\trs1\tG\tT\t30\tq10\tAF=0.1\n",
    "qc/report.html": REPORT,
    "plots/lanes.png": _png(),
    "blob.bin": bytes(range(256)) * 4,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("viewers") / "data", builtins=False)
    try:
        for path, data in FILES.items():
            answer = httpx.put(f"{running.url}/api/files/{PROJECT}/{path}", content=data, timeout=30)
            assert answer.status_code == 201, answer.text
        yield running
    finally:
        running.stop()


def test_a_gzipped_fastq_with_a_wrong_name_lists_its_reads(server: RunningServer) -> None:
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/runs/sample.dat")
        assert "fastq (gzip)" in page.text_content("#file-facts")  # type: ignore[operator]
        assert page.locator("#records tbody tr").count() == 50
        assert page.text_content("#records tbody tr:first-child td:first-child") == "read0/1"
        page.click("#viewers >> text=text")
        assert page.text_content("#lines li:first-child") == "@read0/1"


def test_a_100000_row_csv_pages_and_sorts(server: RunningServer) -> None:
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/tables/big.csv")
        assert "Rows 1–100 of 100,000" in page.text_content("#table-pager")  # type: ignore[operator]
        page.click("#table-pager >> text=Next")
        assert "Rows 101–200 of 100,000" in page.text_content("#table-pager")  # type: ignore[operator]
        assert page.text_content("#data-table tbody tr:first-child td:first-child") == "s000100"
        page.click("#data-table th >> text=reads")
        assert page.text_content("#data-table tbody tr:first-child td:nth-child(2)") == "0"
        page.click("#data-table th >> text=reads")  # again: descending
        assert page.text_content("#data-table tbody tr:first-child td:nth-child(2)") == str(
            max((i * 7919) % 100003 for i in range(100_000))
        )


def test_a_vcf_lists_its_variants(server: RunningServer) -> None:
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/calls.vcf")
        ids = page.locator("#records tbody tr td:nth-child(3)").all_text_contents()
        assert ids == ["rs367896724", "rs1"]


def test_an_html_report_runs_but_cannot_read_the_apps_cookies_or_pages(server: RunningServer) -> None:
    with browser_page() as page:
        page.context.add_cookies([{"name": "session", "value": "secret-value", "url": server.url}])
        page.goto(f"{server.url}/view/{PROJECT}/qc/report.html")
        result = page.frame_locator("#report-frame").locator("#result")
        result.wait_for()
        page.wait_for_function("1")
        text = page.frame_locator("#report-frame").locator("#result").text_content()
        assert text == "blocked:SecurityError parent-blocked:SecurityError", text
        assert "secret-value" not in (text or "")


def test_an_image_shows_and_a_file_without_viewer_offers_its_download(server: RunningServer) -> None:
    with browser_page() as page:
        page.goto(f"{server.url}/view/{PROJECT}/plots/lanes.png")
        page.wait_for_function("document.querySelector('#inline-image').complete")
        assert page.evaluate("document.querySelector('#inline-image').naturalWidth") == 4
        page.goto(f"{server.url}/view/{PROJECT}/blob.bin")
        assert "no viewer for unknown files" in page.text_content("#no-viewer")  # type: ignore[operator]
        assert page.get_attribute("#file-facts a", "href") == f"/api/files/{PROJECT}/blob.bin?download=1"


def test_raw_html_carries_the_sandbox_and_a_wrong_viewer_is_refused(server: RunningServer, tmp_path: Path) -> None:
    raw = httpx.get(f"{server.url}/raw/{PROJECT}/qc/report.html")
    assert raw.status_code == 200 and raw.content == REPORT
    assert raw.headers["content-security-policy"].startswith("sandbox allow-scripts;")
    assert "allow-same-origin" not in raw.headers["content-security-policy"]
    refused = httpx.get(f"{server.url}/view/{PROJECT}/calls.vcf", params={"viewer": "table"})
    assert refused.status_code == 400 and "no 'table' viewer" in refused.text
    assert httpx.get(f"{server.url}/raw/{PROJECT}/runs/sample.dat").status_code == 400
    assert httpx.get(f"{server.url}/view/{PROJECT}/nothing/here.csv").status_code == 404
