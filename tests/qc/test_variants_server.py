"""QC on upload of variants against a real server: a BGZF VCF put through `PUT /api/files`
runs `variants_qc` as its own process and the file's JSON turns `done` with the summary (a
BCF too); a malformed VCF ends `failed` saying which line."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.qc.test_variants import FIXTURES
from tests.server import RunningServer, start_server
from tests.triggers.test_upload_qc import wait_for_qc

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[httpx.Client]:
    running: RunningServer = start_server(tmp_path_factory.mktemp("server") / "data")
    try:
        with httpx.Client(base_url=running.url + "/api/", timeout=30) as client:
            yield client
    finally:
        running.stop()


def test_an_uploaded_vcf_gets_its_variant_qc(api: httpx.Client) -> None:
    uploaded = api.put("files/lab/calls/sample.vcf.gz", content=(FIXTURES / "sample.vcf.gz").read_bytes())
    assert uploaded.status_code == 201, uploaded.text
    qc = wait_for_qc(api, "lab", "calls/sample.vcf.gz")["qc"]
    assert qc["status"] == "done", qc
    summary = qc["summary"]
    assert (summary["schema"], summary["file"], summary["compression"]) == (
        "latchlike.qc.variants/1", "sample.vcf.gz", "gzip")  # fmt: skip
    assert (summary["records"], summary["samples"], summary["transitions"], summary["transversions"]) == (12, 3, 4, 3)
    assert summary["types"] == {"snp": 6, "mnp": 1, "indel": 3, "other": 2, "no_alt": 1}
    execution = api.get(f"executions/{qc['execution']}").json()
    assert execution["triggered_by"] == "lab/calls/sample.vcf.gz"
    assert [n["task"] for n in execution["nodes"] if n["kind"] == "task"] == ["workflows.qc_variants.variants_stats"]


def test_an_uploaded_bcf_gets_the_same_summary(api: httpx.Client) -> None:
    assert api.put("files/lab/calls/sample.bcf", content=(FIXTURES / "sample.bcf").read_bytes()).status_code == 201
    qc = wait_for_qc(api, "lab", "calls/sample.bcf")["qc"]
    assert qc["status"] == "done", qc
    assert (qc["summary"]["compression"], qc["summary"]["records"], qc["summary"]["ts_tv"]) == ("bgzf", 12, 4 / 3)


def test_a_malformed_vcf_fails_saying_which_line(api: httpx.Client) -> None:
    bad = b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t5\t.\tA\tG\t9\t.\t.\nchr1\tx\n"
    assert api.put("files/lab/calls/bad.vcf", content=bad).status_code == 201
    record = wait_for_qc(api, "lab", "calls/bad.vcf")
    assert record["qc"]["status"] == "failed"
    assert "line 4: 2 tab-separated fields" in record["qc"]["message"]
