"""Outputs read from a client that is not on the server's disk: `pyflyte fetch`,
`FlyteRemote.get` and FlyteRemote's outputs, through signed, expiring download links."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import grpc
import httpx
import pytest
from flyteidl.admin import node_execution_pb2, task_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.service import admin_pb2_grpc, dataproxy_pb2, dataproxy_pb2_grpc
from flytekit.configuration import Config
from flytekit.core.type_engine import LiteralsResolver
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.remote import FlyteRemote
from flytekit.remote.executions import FlyteWorkflowExecution
from flytekit.types.file import FlyteFile
from google.protobuf.duration_pb2 import Duration

from tests.pyflyte import pyflyte
from tests.samples import FIXTURES
from tests.server import RunningServer

pytestmark = pytest.mark.slow
CLIENT_PROJECT = FIXTURES / "client_project"
POLL = timedelta(seconds=0.5)


@pytest.fixture(scope="module")
def remote(server: RunningServer) -> FlyteRemote:
    registered = pyflyte(server, CLIENT_PROJECT, "register", "--version", "fetch-v1", "dataio")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    return FlyteRemote(
        Config.auto(config_file=str(server.flytekit_config())),
        default_project="flytesnacks",
        default_domain="development",
    )


def run(remote: FlyteRemote, workflow: str, **inputs: int) -> FlyteWorkflowExecution:
    plan = remote.fetch_launch_plan(name=f"dataio.reads.{workflow}", version="fetch-v1")
    done = remote.wait(remote.execute(plan, inputs=inputs), timeout=timedelta(seconds=120), poll_interval=POLL)
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED, done.closure.error
    return done


@pytest.fixture(scope="module")
def report(remote: FlyteRemote) -> FlyteWorkflowExecution:
    return run(remote, "report", n=7)


def download_location(server: RunningServer, native_url: str, ttl: int = 0) -> str:
    request = dataproxy_pb2.CreateDownloadLocationRequest(native_url=native_url)
    if ttl:
        request.expires_in.CopyFrom(Duration(seconds=ttl))
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        return str(dataproxy_pb2_grpc.DataProxyServiceStub(channel).CreateDownloadLocation(request).signed_url)


def stored_report(server: RunningServer, report: FlyteWorkflowExecution) -> str:
    """The report's store path, as the task wrote it (only the server can see it)."""
    found = list((server.data_dir / "store" / "executions" / "flytesnacks" / "development" / report.id.name).rglob(
        "report.txt"))  # fmt: skip
    assert len(found) == 1
    return str(found[0])


def test_flyte_remote_downloads_a_file_output_through_a_signed_link(
    server: RunningServer, report: FlyteWorkflowExecution, tmp_path: Path
) -> None:
    output = report.outputs.get("o0", FlyteFile)
    assert output.remote_source.startswith(f"{server.url}/download/")  # not a path on the server's disk
    local = output.download()
    assert not Path(local).is_relative_to(server.data_dir)
    assert Path(local).read_text().splitlines() == [f"line {i}" for i in range(7)]


def test_a_folder_download_location_lists_what_the_signature_covers(
    server: RunningServer, remote: FlyteRemote, tmp_path: Path
) -> None:
    done = run(remote, "samples", n=2)
    folder = done.outputs.literals["o0"].scalar.blob.uri  # a store URI: fsspec cannot copy a folder over HTTP
    listing = httpx.get(download_location(server, folder))
    assert listing.status_code == 200
    links = re.findall(r'href="([^"]+)"', listing.text)
    assert [link.rsplit("/", 2)[-1] or link.rsplit("/", 2)[-2] for link in links] == ["more", "sample0.txt",
                                                                                     "sample1.txt"]  # fmt: skip
    assert httpx.get(server.url + links[2]).text == "sample 1\n" * 2
    nested = httpx.get(server.url + links[0])
    assert "extra.txt" in nested.text


def test_pyflyte_fetch_prints_and_downloads_node_outputs(
    server: RunningServer, report: FlyteWorkflowExecution, tmp_path: Path
) -> None:
    uri = f"flyte://v1/flytesnacks/development/{report.id.name}/n0/o"
    fetched = pyflyte(server, tmp_path, "fetch", "--recursive", uri, str(tmp_path / "out"))
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert "o0" in fetched.stdout
    downloaded = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert len(downloaded) == 1 and downloaded[0].read_text().count("\n") == 7


def test_flyte_remote_get_reads_inputs_outputs_and_one_output(
    remote: FlyteRemote, report: FlyteWorkflowExecution
) -> None:
    base = f"flyte://v1/flytesnacks/development/{report.id.name}/n0"
    inputs = remote.get(f"{base}/i")
    assert isinstance(inputs, LiteralsResolver) and inputs.get("n", int) == 7
    outputs = remote.get(f"{base}/0/o")  # the first attempt
    assert isinstance(outputs, LiteralsResolver)
    one = remote.get(f"{base}/o/o0")
    assert one is not None and one.scalar.blob.uri.startswith("http")
    assert remote.get(f"{base}/o/nothing") is None  # FlyteRemote logs the server's NotFound


def test_download_links_serve_ranges(server: RunningServer, report: FlyteWorkflowExecution) -> None:
    url = download_location(server, stored_report(server, report))
    whole = httpx.get(url)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    part = httpx.get(url, headers={"Range": "bytes=5-10"})
    assert part.status_code == 206 and part.content == whole.content[5:11]
    assert part.headers["content-range"] == f"bytes 5-10/{len(whole.content)}"
    tail = httpx.get(url, headers={"Range": "bytes=-7"})
    assert tail.status_code == 206 and tail.content == whole.content[-7:]
    assert httpx.get(url, headers={"Range": f"bytes={len(whole.content)}-"}).status_code == 416


def test_tampered_and_expired_links_are_refused(server: RunningServer, report: FlyteWorkflowExecution) -> None:
    path = stored_report(server, report)
    url = download_location(server, path)
    parts = urlparse(url).path.split("/")  # /download/<expires>/<signature>/<key...>
    signature = parts[3]
    forged = url.replace(signature, ("A" if signature[0] != "A" else "B") + signature[1:])
    assert httpx.get(forged).status_code == 403
    later = url.replace(f"/{parts[2]}/", f"/{int(parts[2]) + 3600}/")
    assert httpx.get(later).status_code == 403
    elsewhere = url.replace("report.txt", "inputs.pb")
    assert httpx.get(elsewhere).status_code == 403
    short = download_location(server, path, ttl=1)  # valid links answer 200 in the tests above
    time.sleep(2.1)
    expired = httpx.get(short)
    assert expired.status_code == 403 and "expired" in expired.json()["message"]


def test_a_download_location_outside_the_store_is_refused(server: RunningServer) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        download_location(server, "/etc/passwd")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_nodes_deck_is_a_signed_link(server: RunningServer, remote: FlyteRemote) -> None:
    done = run(remote, "summary", n=4)
    link = remote.client.get_download_artifact_signed_url("n0", "flytesnacks", "development", done.id.name)
    deck = httpx.get(link.signed_url[0])
    assert deck.status_code == 200 and "4 samples summarized" in deck.text
    fetched = remote.get(f"flyte://v1/flytesnacks/development/{done.id.name}/n0/d")
    # IPython's HTML when IPython is installed, else the bytes
    assert "4 samples summarized" in str(getattr(fetched, "data", fetched))
    with pytest.raises(Exception, match="no deck"):
        remote.client.get_download_artifact_signed_url("n0", "flytesnacks", "development", report_name(remote))


def report_name(remote: FlyteRemote) -> str:
    """An execution whose node wrote no deck."""
    return run(remote, "report", n=1).id.name


def test_a_file_output_goes_back_in_as_an_input(
    server: RunningServer, remote: FlyteRemote, report: FlyteWorkflowExecution
) -> None:
    """The link comes back as the store URI it stands for, so the new execution never
    depends on a link that expires."""
    output = report.outputs.get("o0", FlyteFile)
    plan = remote.fetch_launch_plan(name="dataio.reads.count_reads", version="fetch-v1")
    done = remote.wait(remote.execute(plan, inputs={"reads": output}), timeout=timedelta(seconds=120),
                       sync_nodes=False, poll_interval=POLL)  # fmt: skip
    assert done.closure.phase == WorkflowExecutionPhase.SUCCEEDED, done.closure.error
    assert done.outputs["o0"] == 7
    stored = server.data_dir / "store" / "executions" / "flytesnacks" / "development" / done.id.name / "n0" / "1"
    inputs = literals_pb2.LiteralMap.FromString((stored / "inputs.pb").read_bytes())
    assert inputs.literals["reads"].scalar.blob.uri == stored_report(server, report)


def test_node_data_names_flyte_urls_that_resolve(
    server: RunningServer, remote: FlyteRemote, report: FlyteWorkflowExecution
) -> None:
    node = identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=report.id.to_flyte_idl())
    with grpc.insecure_channel(server.grpc_endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        data = stub.GetNodeExecutionData(node_execution_pb2.NodeExecutionGetDataRequest(id=node))
        task = stub.GetTaskExecutionData(
            task_execution_pb2.TaskExecutionGetDataRequest(
                id=identifier_pb2.TaskExecutionIdentifier(node_execution_id=node, retry_attempt=0)
            )
        )
    base = f"flyte://v1/flytesnacks/development/{report.id.name}/n0"
    assert (data.flyte_urls.inputs, data.flyte_urls.outputs, data.flyte_urls.deck) == (f"{base}/i", f"{base}/o", "")
    assert task.flyte_urls.outputs == f"{base}/0/o"
    outputs = remote.get(data.flyte_urls.outputs)
    assert isinstance(outputs, LiteralsResolver) and "o0" in outputs.literals
    # As on Flyte: start-node gives the execution's inputs, end-node takes its outputs.
    execution = f"flyte://v1/flytesnacks/development/{report.id.name}"
    started = remote.get(f"{execution}/start-node/o")
    assert isinstance(started, LiteralsResolver) and started.get("n", int) == 7
    ended = remote.get(f"{execution}/end-node/i/o0")
    assert ended is not None and ended.scalar.blob.uri.startswith(f"{server.url}/download/")
