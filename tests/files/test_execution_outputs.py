"""Execution outputs in the file browser: real executions write a file and a directory; a
real server then lists them under `.executions/<execution>/<node>/<output>/`, read-only,
downloads them (with Range), and refuses every change there (403)."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from latchlike.platform import Platform
from tests.engine.running import launch, run_until_done
from tests.server import start_server

pytestmark = pytest.mark.slow
READS = b"read0\nread1\nread2\n"


def _names(listing: dict[str, object]) -> list[str]:
    entries = listing["entries"]
    assert isinstance(entries, list)
    return [entry["name"] for entry in entries]


def test_execution_outputs_are_a_read_only_folder_of_the_project(registered: Platform) -> None:
    one_file = run_until_done(registered, launch(registered, "pipelines.basic.files", {"n": 3}), warm=True)
    folder = run_until_done(registered, launch(registered, "pipelines.shapes.folders", {"n": 2}), warm=True)
    assert (one_file.phase, folder.phase) == ("SUCCEEDED", "SUCCEEDED")
    server = start_server(registered.settings.data_dir, builtins=False,
                          env={"LATCHLIKE_RUN_ENGINE": "false",
                               "LATCHLIKE_DATABASE_URL": registered.settings.resolved_database_url})  # fmt: skip
    try:
        api = httpx.Client(base_url=f"{server.url}/api/files/flytesnacks/", timeout=30)
        assert api.put("mine/notes.txt", content=b"hello").status_code == 201

        top = api.get("").json()
        assert _names(top) == [".executions", "mine"]
        assert [entry["read_only"] for entry in top["entries"]] == [True, False]
        executions = api.get(".executions").json()
        assert _names(executions) == sorted([one_file.name, folder.name])
        assert api.get(".executions", params={"limit": 1}).json()["next_after"] == min(one_file.name, folder.name)

        # A file output: its own name, its checksum from provenance, who wrote it; downloadable.
        assert _names(api.get(f".executions/{one_file.name}").json()) == ["n0"]
        assert _names(api.get(f".executions/{one_file.name}/n0").json()) == ["o0"]
        (reads,) = api.get(f".executions/{one_file.name}/n0/o0").json()["entries"]
        assert (reads["name"], reads["size"], reads["sha256"], reads["read_only"], reads["written_by"]) == (
            "reads.txt", len(READS), hashlib.sha256(READS).hexdigest(), True, f"flytesnacks/development/{one_file.name}"
        )  # fmt: skip
        assert api.get(reads["path"]).json() == reads
        assert api.get(reads["path"], params={"download": 1}).content == READS
        ranged = api.get(reads["path"], params={"download": 1}, headers={"Range": "bytes=6-10"})
        assert (ranged.status_code, ranged.content) == (206, READS[6:11])

        # A directory output: its files, listed from the store.
        samples = api.get(f".executions/{folder.name}/n0/o0").json()
        assert _names(samples) == ["sample0.txt", "sample1.txt"]
        assert all(entry["read_only"] and not entry["is_folder"] for entry in samples["entries"])
        assert api.get(samples["entries"][1]["path"], params={"download": 1}).content == b"sample 1\n" * 2

        # Nothing changes there.
        refused = [
            api.put(f".executions/{one_file.name}/n0/o0/reads.txt", content=b"x"),
            api.put(".executions/new.txt", content=b"x"),
            api.delete(reads["path"]),
            api.delete(".executions", params={"purge": 1}),
            api.post(f"{reads['path']}:move", json={"to": "mine/reads.txt"}),
            api.post("mine/notes.txt:move", json={"to": ".executions/notes.txt"}),
            api.post(".executions/x:mkdir"),
            api.post(".executions:restore"),
        ]
        assert [response.status_code for response in refused] == [403] * len(refused)
        assert "read-only" in refused[0].json()["message"]
        assert api.get(reads["path"], params={"download": 1}).content == READS
        assert api.get(f".executions/{one_file.name}/n0/o1").status_code == 404
        assert api.get(".executions/no-such-execution").status_code == 404
    finally:
        server.stop()
