"""The variant, FASTA and table QC reports open in Chromium with the network cut and draw
every plot (plotly bars, tables and histograms) without a page or console error."""

from __future__ import annotations

from pathlib import Path

import pytest
from flytekit.types.file import FlyteFile
from playwright.sync_api import Route

from tests.browser import browser_page
from tests.qc.test_variants import VCF
from workflows.qc_fasta import fasta_qc
from workflows.qc_table import table_qc
from workflows.qc_variants import variants_qc

pytestmark = pytest.mark.slow


def _report(tmp_path: Path, name: str, data: bytes | None, workflow: object) -> Path:
    source = VCF if data is None else tmp_path / name
    if data is not None:
        source.write_bytes(data)
    return Path(workflow(file=FlyteFile(str(source))).report.path)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "data", "workflow", "plots", "selector"),
    [
        ("sample.vcf", None, variants_qc, 5, ".barlayer .trace"),
        ("ref.fa", b">a long\nACGTACGTNN\n>b\nGGCC\n", fasta_qc, 3, ".barlayer .trace"),
        ("t.csv", b"id,score,name\n1,2.5,x\n2,3.5,y\n3,,z\n", table_qc, 4, ".table"),
    ],
)
def test_the_report_draws_every_plot_offline(
    tmp_path: Path, name: str, data: bytes | None, workflow: object, plots: int, selector: str
) -> None:
    report = _report(tmp_path, name, data, workflow)
    blocked: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with browser_page() as page:
        page.context.route("**/*", local_only)
        page.goto(report.as_uri())
        page.wait_for_function(f"document.querySelectorAll('.plot .main-svg').length >= {plots}")
        assert page.locator(f".plot {selector}").count() >= 1
    assert blocked == []
