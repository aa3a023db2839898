"""QC rules over HTTP and on their page, against a real server with the built-ins: rules are
checked when saved, replace a default where their glob matches, pass their parameters to
the run, and switch QC off; the page lists, creates, edits and deletes them in Chromium
under the Content-Security-Policy the pages must meet."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from latchlike.triggers.rules import DEFAULT_WORKFLOWS
from tests.browser import browser_page
from tests.pyflyte import pyflyte
from tests.server import RunningServer
from tests.triggers.test_upload_qc import FASTA, wait_for_qc

pytestmark = pytest.mark.slow
CLIENT_PROJECT = Path(__file__).parents[1] / "fixtures" / "client_project"
FASTA_QC = "workflows.qc_fasta.fasta_qc"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "frame-ancestors 'self'"
)


def test_rules_are_checked_when_saved(api: httpx.Client) -> None:
    listed = api.get("projects/rules/qc-rules").json()
    alignments = "workflows.qc_alignments.alignments_qc"
    assert [(r["kind"], r["workflow"], r["default"]) for r in listed] == [
        ("bam", alignments, True), ("bcf", "workflows.qc_variants.variants_qc", True),
        ("cram", alignments, True), ("csv", "workflows.qc_table.table_qc", True),
        ("fasta", FASTA_QC, True), ("fastq", "workflows.qc_fastq.fastq_qc", True), ("sam", alignments, True),
        ("tsv", "workflows.qc_table.table_qc", True), ("vcf", "workflows.qc_variants.variants_qc", True),
    ]  # fmt: skip
    refused = {
        "unknown kind": ({"kind": "scroll", "workflow": FASTA_QC}, 400, "is not one latchlike detects"),
        "no such workflow": ({"kind": "fasta", "workflow": "nowhere.qc"}, 404, "no workflow nowhere.qc"),
        "no file input": ({"kind": "fasta", "workflow": "workflows.hello.hello_world"}, 400, "exactly one required"),
        "bad parameter": ({"kind": "fasta", "workflow": FASTA_QC, "parameters": {"histogram_bins": "many"}}, 400,
                          "histogram_bins"),
        "unknown parameter": ({"kind": "fasta", "workflow": FASTA_QC, "parameters": {"colour": 1}}, 400, "colour"),
        "file given": ({"kind": "fasta", "workflow": FASTA_QC, "parameters": {"file": "x"}}, 400, "leave out 'file'"),
    }  # fmt: skip
    for why, (body, status, words) in refused.items():
        answer = api.post("projects/rules/qc-rules", json=body)
        assert (answer.status_code, words in answer.json()["message"]) == (status, True), (why, answer.text)
    created = api.post("projects/rules/qc-rules", json={"kind": "fasta", "workflow": FASTA_QC, "folder_glob": "x/*"})
    assert created.status_code == 201, created.text
    twice = api.post("projects/rules/qc-rules", json={"kind": "fasta", "workflow": FASTA_QC, "folder_glob": "x/*"})
    assert twice.status_code == 409
    rule_id = created.json()["id"]
    changed = api.put(f"projects/rules/qc-rules/{rule_id}", json={"kind": "fasta", "workflow": FASTA_QC,
                                                                  "parameters": {"histogram_bins": 3}})  # fmt: skip
    assert changed.status_code == 200 and changed.json()["parameters"] == {"histogram_bins": 3}
    assert "fasta" not in [r["kind"] for r in api.get("projects/rules/qc-rules").json() if r["default"]]
    assert api.delete(f"projects/rules/qc-rules/{rule_id}").status_code == 204
    assert api.delete(f"projects/rules/qc-rules/{rule_id}").status_code == 404


def test_the_builtin_qc_workflows_have_forms_to_run_by_hand(server: RunningServer) -> None:
    for name, title, field in ((FASTA_QC, "FASTA QC", "Histogram bins"),
                               ("workflows.qc_table.table_qc", "Table QC", "Delimiter")):  # fmt: skip
        page = httpx.get(f"{server.url}/workflows/flytesnacks/development/{name}/launch", timeout=30)
        assert page.status_code == 200 and title in page.text and field in page.text


def test_a_rule_passes_its_parameters_and_can_switch_qc_off(api: httpx.Client) -> None:
    rule = {"kind": "fasta", "workflow": FASTA_QC, "folder_glob": "coarse*", "parameters": {"histogram_bins": 1}}
    assert api.post("projects/lab/qc-rules", json=rule).status_code == 201
    off = {"kind": "fasta", "workflow": FASTA_QC, "folder_glob": "ignored", "enabled": False}
    assert api.post("projects/lab/qc-rules", json=off).status_code == 201
    api.put("files/lab/coarse/a.fa", content=FASTA + b">coarse\nA\n")
    api.put("files/lab/ignored/a.fa", content=FASTA + b">ignored\nA\n")
    coarse = wait_for_qc(api, "lab", "coarse/a.fa")["qc"]
    assert coarse["status"] == "done" and len(coarse["summary"]["length_histogram"]["counts"]) == 1
    ignored = wait_for_qc(api, "lab", "ignored/a.fa", until=("none",))["qc"]
    assert "switched off" in ignored["message"]


def test_a_rule_can_run_a_registered_workflow_on_the_files_folder(server: RunningServer, api: httpx.Client) -> None:
    registered = pyflyte(server, CLIENT_PROJECT, "register", "--version", "qc-v1", "dataio")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    rule = {"kind": "text", "workflow": "dataio.reads.count_samples"}  # its one required input is a directory
    assert api.post("projects/flytesnacks/qc-rules", json=rule).status_code == 201, rule
    assert api.put("files/flytesnacks/batch/a.txt", content=b"one\ntwo\n").status_code == 201
    qc = wait_for_qc(api, "flytesnacks", "batch/a.txt")["qc"]
    assert (qc["status"], qc["message"]) == ("done", "the QC wrote no summary"), qc
    execution = api.get(f"executions/{qc['execution']}").json()
    assert execution["workflow"] == "dataio.reads.count_samples" and execution["outputs"][0]["preview"] == "2"
    assert api.put("files/flytesnacks/top.txt", content=b"alone\n").status_code == 201
    alone = wait_for_qc(api, "flytesnacks", "top.txt", until=("none",))["qc"]
    assert alone["message"] == "dataio.reads.count_samples takes a folder; 'top.txt' is in none"


def test_the_rules_page_creates_edits_and_deletes(server: RunningServer) -> None:
    refused = {"status of 400": "the test saves a rule whose parameter has the wrong type, on purpose"}
    with browser_page(expected_errors=refused) as page:
        _with_csp_and_only_loopback(page, server)
        page.goto(f"{server.url}/projects/pagetest/qc-rules")
        rows = page.locator("#qc-rules tbody tr")
        defaults = len(DEFAULT_WORKFLOWS)  # one row per kind with a built-in QC
        expect(rows).to_have_count(defaults)
        rows.filter(has_text="fasta").get_by_role("button", name="Replace").click()
        expect(page.locator("#qc-rule-heading")).to_have_text("Replace the default for fasta")
        page.fill("input[name=folder_glob]", "runs/*")
        page.fill("textarea[name=parameters]", '{"histogram_bins": "lots"}')
        page.get_by_role("button", name="Save rule").click()
        # The project's first save registers the built-ins into it (a flytekit child process).
        expect(page.locator("#qc-rules-error")).to_contain_text("histogram_bins", timeout=60_000)
        page.fill("textarea[name=parameters]", '{"histogram_bins": 4}')
        page.get_by_role("button", name="Save rule").click()
        expect(rows).to_have_count(defaults + 1)
        custom = rows.filter(has_text="runs/*")
        expect(custom).to_contain_text('{"histogram_bins":4}')
        custom.get_by_role("button", name="Edit").click()
        page.uncheck("input[name=enabled]")
        page.get_by_role("button", name="Save rule").click()
        expect(rows.filter(has_text="runs/*")).to_contain_text("off")
        rows.filter(has_text="runs/*").get_by_role("button", name="Delete").click()
        expect(rows).to_have_count(defaults)
        expect(page.locator("#qc-rules-error")).to_be_hidden()
        page.unroute_all(behavior="ignoreErrors")


def _with_csp_and_only_loopback(page: Page, server: RunningServer) -> None:
    """Serve every page with the CSP the pages must meet (a violation is a console error),
    and refuse every request that is not to this server."""
    local = urlparse(server.url).netloc

    def handle(route: Route) -> None:
        if urlparse(route.request.url).netloc != local:
            route.abort()
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})

    page.route("**/*", handle)
