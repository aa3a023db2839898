"""QC on upload against a real server: a FASTA put through `PUT /api/files` runs its QC as
its own process and the file's JSON turns `done` with the summary; the same bytes under
another name run nothing new, nor do concurrent identical uploads; a malformed FASTA ends
`failed` saying where; a server killed between upload and launch launches once on restart."""

from __future__ import annotations

import gzip
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
FASTA_QC = "workflows.qc_fasta.fasta_qc"
FASTA = b">chr1 first\nACGTACGTNN\nGGCC\n>chr2\nACGT\n>chr3\nAAAAAAAAAAAAAAAAAAAA\n"
WAIT_SECONDS = 90


def wait_for_qc(api: httpx.Client, project: str, path: str, *, until: tuple[str, ...] = ("done", "failed")) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        record = api.get(f"files/{project}/{path}").json()
        if record["qc"]["status"] in until:
            return record
        time.sleep(0.3)
    raise AssertionError(f"QC of {project}/{path} is still {record['qc']} after {WAIT_SECONDS} s")


def qc_executions(api: httpx.Client, project: str, workflow: str = FASTA_QC) -> list[dict[str, Any]]:
    return [e for e in api.get("executions").json() if e["project"] == project and e["workflow"] == workflow]


def test_an_uploaded_fasta_gets_its_qc_once_per_content(server: RunningServer, api: httpx.Client) -> None:
    assert api.put("files/lab/genomes/ref.fa", content=FASTA).status_code == 201
    record = wait_for_qc(api, "lab", "genomes/ref.fa")
    qc = record["qc"]
    assert qc["status"] == "done", qc
    summary = qc["summary"]
    assert summary["schema"] == "latchlike.qc.fasta/1"
    # Hand-counted: lengths 14, 4, 20 → total 38; N50 is 20 (20 ≥ 38/2), L50 1; G+C: 8 + 2 + 0 of 36 A/C/G/T.
    assert (summary["sequences"], summary["total_length"], summary["n50"], summary["l50"]) == (3, 38, 20, 1)
    assert (summary["n_count"], summary["gc_fraction"]) == (2, 10 / 36)
    assert qc["execution"].startswith("lab/development/")  # QC lives in the file's project
    execution = api.get(f"executions/{qc['execution']}").json()
    assert execution["triggered_by"] == "lab/genomes/ref.fa" and execution["source"] == "trigger"
    task_nodes = [n for n in execution["nodes"] if n["kind"] == "task"]
    assert [(n["task"], n["phase"]) for n in task_nodes] == [("workflows.qc_fasta.fasta_stats", "SUCCEEDED")]
    assert qc["report"].startswith("/view/lab/.executions/")  # the report's viewer page, sandboxed
    viewer = httpx.get(server.url + qc["report"])
    assert viewer.status_code == 200 and 'id="report-frame"' in viewer.text
    report = httpx.get(server.url + qc["report"].replace("/view/", "/raw/", 1))
    assert report.status_code == 200 and b"FASTA QC" in report.content and b"Plotly.newPlot" in report.content
    page = httpx.get(f"{server.url}/executions/{qc['execution']}")
    assert "Triggered by the upload of" in page.text and "lab/genomes/ref.fa" in page.text

    assert api.put("files/lab/other/copy.fasta", content=FASTA).status_code == 201
    copy = wait_for_qc(api, "lab", "other/copy.fasta")
    assert copy["qc"]["execution"] == qc["execution"] and copy["qc"]["summary"] == summary
    assert len(qc_executions(api, "lab")) == 1
    folder = api.get("files/lab/other").json()
    assert [(e["name"], e["qc"]) for e in folder["entries"]] == [("copy.fasta", {
        "status": "done", "execution": None, "summary": None, "report": None, "message": None})]  # fmt: skip


def test_an_uploaded_gzipped_tsv_gets_the_table_qc(api: httpx.Client) -> None:
    table = gzip.compress(b"sample\treads\tpass\nA\t10\ttrue\nB\t30\tfalse\n")
    assert api.put("files/lab/tables/counts.txt", content=table).status_code == 201  # the name says nothing
    qc = wait_for_qc(api, "lab", "tables/counts.txt")["qc"]
    assert qc["status"] == "done", qc
    summary = qc["summary"]
    assert (summary["schema"], summary["rows"], summary["compression"]) == ("latchlike.qc.table/1", 2, "gzip")
    assert [(c["name"], c["type"]) for c in summary["column_summaries"]] == [
        ("sample", "string"), ("reads", "integer"), ("pass", "boolean")]  # fmt: skip
    assert summary["column_summaries"][1]["mean"] == 20


def test_concurrent_identical_uploads_run_one_qc(api: httpx.Client) -> None:
    data = FASTA + b">extra\nTTTT\n"
    paths = [f"burst/copy-{i}.fa" for i in range(8)]
    with ThreadPoolExecutor(len(paths)) as pool:
        answers = list(pool.map(lambda p: api.put(f"files/crowd/{p}", content=data).status_code, paths))
    assert answers == [201] * len(paths)
    executions = {wait_for_qc(api, "crowd", p)["qc"]["execution"] for p in paths}
    assert len(executions) == 1
    assert len(qc_executions(api, "crowd")) == 1


def test_a_malformed_fasta_fails_saying_where(api: httpx.Client) -> None:
    bad = b">ok\nACGT\n>broken\nACGT\nAC#T\n"
    assert api.put("files/lab/bad.fa", content=bad).status_code == 201
    record = wait_for_qc(api, "lab", "bad.fa")
    assert record["qc"]["status"] == "failed"
    assert "sequence 2 ('broken')" in record["qc"]["message"] and "position 7" in record["qc"]["message"]
    # The file's QC says what is wrong with the file; the trace stays on the execution page.
    message = record["qc"]["message"]
    assert "Traceback" not in message and message.startswith("QcInputError: sequence 2 ('broken')")


def test_rerun_ignores_dedupe_and_a_kind_without_rule_has_none(api: httpx.Client) -> None:
    assert api.put("files/lab/again.fa", content=FASTA + b">again\nA\n").status_code == 201
    first = wait_for_qc(api, "lab", "again.fa")["qc"]["execution"]
    assert api.post("files/lab/again.fa:qc").status_code == 202
    second = wait_for_qc(api, "lab", "again.fa", until=("done",))
    deadline = time.monotonic() + WAIT_SECONDS
    while second["qc"]["execution"] == first and time.monotonic() < deadline:
        second = wait_for_qc(api, "lab", "again.fa", until=("done",))
    assert second["qc"]["execution"] != first
    assert api.put("files/lab/notes.txt", content=b"just words\n").status_code == 201
    plain = wait_for_qc(api, "lab", "notes.txt", until=("none",))
    assert plain["qc"]["message"] == "no QC rule for text files"


def test_a_server_killed_before_launch_launches_once_on_restart(tmp_path: Path, database: str) -> None:
    data_dir = tmp_path / "data"
    queued_only = start_server(data_dir, env={"LATCHLIKE_RUN_TRIGGERS": "false"})
    try:
        with httpx.Client(base_url=queued_only.url + "/api/", timeout=30) as api:
            assert api.put("files/flytesnacks/kill/ref.fa", content=FASTA).status_code == 201
            assert api.get("files/flytesnacks/kill/ref.fa").json()["qc"]["status"] == "queued"
    finally:
        queued_only.process.kill()  # kill -9: the trigger is only in the database
        queued_only.process.wait()
    for _ in range(2):  # the second restart must not launch it again
        restarted = start_server(data_dir)
        try:
            with httpx.Client(base_url=restarted.url + "/api/", timeout=30) as api:
                assert wait_for_qc(api, "flytesnacks", "kill/ref.fa")["qc"]["status"] == "done"
                assert len(qc_executions(api, "flytesnacks")) == 1
        finally:
            restarted.process.kill()
            restarted.process.wait()
