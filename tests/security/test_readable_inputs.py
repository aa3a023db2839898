"""An execution of project A is never given B's data: the one rule (`executions.readable`)
checked by every launch path, with the real platform and the engine's test workflows."""

from __future__ import annotations

import msgpack
import pytest
from flyteidl.core import literals_pb2, types_pb2

from latchlike.errors import InvalidArgument
from latchlike.executions import launching
from latchlike.executions.readable import readable_key
from latchlike.executions.service import ExecutionKey, Source, create_execution, execution_row
from latchlike.executions.tables import ExecutionRow
from latchlike.files.catalog import StoreCatalog
from latchlike.platform import Platform
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.single_task import ensure_task_launch_plan

COUNT_FILE = EntityId(ResourceKind.LAUNCH_PLAN, "flytesnacks", "development", "pipelines.basic.count_file", "v1")
REPORTS = EntityId(ResourceKind.TASK, "flytesnacks", "development", "pipelines.sheets.reports", "v1")
SINGLE = types_pb2.BlobType.BlobDimensionality.SINGLE


def blob(uri: str) -> literals_pb2.Literal:
    metadata = literals_pb2.BlobMetadata(type=types_pb2.BlobType(format="", dimensionality=SINGLE))
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(metadata=metadata, uri=uri)))


def sample_record(uri: str) -> literals_pb2.Literal:
    """A `Sample` dataclass as flytekit sends it: msgpack, files as `{"path": uri}`."""
    packed = msgpack.packb({"name": "s0", "r1": {"path": uri, "metadata": {}}, "r2": None})
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=packed, tag="msgpack")))


def put(platform: Platform, key: str, content: bytes = b"@r\nACGT\n+\nIIII\n") -> str:
    source = platform.settings.data_dir / "source"
    source.write_bytes(content)
    platform.store.put_file(key, source)
    return platform.store.uri(key)


@pytest.mark.parametrize(
    ("key", "readable"),
    [
        ("files/flytesnacks/runs/reads.fastq", True),
        ("uploads/flytesnacks/development/ABC===/reads.fastq", True),
        ("executions/flytesnacks/development/abc/n0/0/raw/x.txt", True),
        ("files/flytesnacks", False),
        ("files/other/secret.fastq", False),
        ("files/flytesnacks-2/x", False),
        ("uploads/other/development/ABC/bundle.tar.gz", False),
        ("executions/other/development/abc/n0/0/outputs.pb", False),
        ("trash/flytesnacks/1/reads.fastq", False),
        ("staging/flytesnacks/x", False),
    ],
)
def test_which_keys_a_project_reads(key: str, readable: bool) -> None:
    assert readable_key("flytesnacks", key) is readable


@pytest.mark.parametrize(
    "key",
    [
        "files/other/secret.fastq",
        "uploads/other/development/ABC/fast-register.tar.gz",
        "executions/other/development/abc/n0/0/raw/reads.fastq",
        "trash/flytesnacks/3/old.fastq",
    ],
)
def test_another_projects_data_is_refused_naming_the_input(registered: Platform, key: str) -> None:
    uri = put(registered, key)
    with (
        registered.db.session() as session,
        pytest.raises(InvalidArgument, match=r"input 'reads': .* is not in project"),
    ):
        launching.launch_with_literals(session, launch_plan=COUNT_FILE, inputs=_reads(uri), store=registered.store)
    with registered.db.session() as session:
        assert session.query(ExecutionRow).count() == 0


@pytest.mark.parametrize("uri", ["/etc/passwd", "file:///etc/passwd", "reads.fastq", "{store}/../secret"])
def test_server_paths_outside_the_store_are_refused(registered: Platform, uri: str) -> None:
    uri = uri.format(store=registered.store.uri("files/flytesnacks"))
    with registered.db.session() as session, pytest.raises(InvalidArgument, match="outside its file store"):
        launching.launch_with_literals(session, launch_plan=COUNT_FILE, inputs=_reads(uri), store=registered.store)


def test_a_file_inside_a_record_is_checked_too(registered: Platform) -> None:
    theirs = put(registered, "files/other/s0.fastq")
    ours = put(registered, "files/flytesnacks/s0.fastq")
    with registered.db.session() as session:
        plan = ensure_task_launch_plan(session, REPORTS)
    for uri, refused in ((theirs, True), (ours, False)):
        samples = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[sample_record(uri)]))
        inputs = literals_pb2.LiteralMap(literals={"samples": samples})
        with registered.db.session() as session:
            if refused:
                with pytest.raises(InvalidArgument, match=r"input 'samples\[0\]\.r1'"):
                    launching.launch_with_literals(session, launch_plan=plan, inputs=inputs, store=registered.store)
            else:
                launching.launch_with_literals(session, launch_plan=plan, inputs=inputs, store=registered.store)


def test_own_files_uploads_and_outputs_launch(registered: Platform) -> None:
    for key in (
        "files/flytesnacks/runs/reads.fastq",
        "uploads/flytesnacks/development/LI4HURDMPSZQIWVLTOPC5XDAFA======/reads.fastq",
        "executions/flytesnacks/development/earlier/n0/0/raw/reads.fastq",
    ):
        uri = put(registered, key)
        with registered.db.session() as session:
            launching.launch_with_literals(session, launch_plan=COUNT_FILE, inputs=_reads(uri), store=registered.store)
        assert StoreCatalog(registered.store, "flytesnacks").lookup(uri) is not None  # the form and JSON launch
        assert StoreCatalog(registered.store, "other").lookup(uri) is None


def test_relaunch_and_recover_refuse_an_old_execution_given_anothers_file(registered: Platform) -> None:
    """An execution recorded before the rule existed is not a way around it."""
    uri = put(registered, "files/other/secret.fastq")
    with registered.db.session() as session:
        old = create_execution(session, execution_row(launch_plan=COUNT_FILE, workflow="pipelines.basic.count_file",
                                                      inputs=_reads(uri), source=Source.CLI))  # fmt: skip
        session.query(ExecutionRow).filter_by(name=old.name).update({"phase": "FAILED"})
    for again in (launching.relaunch, launching.recover):
        with registered.db.session() as session, pytest.raises(InvalidArgument, match="input 'reads'"):
            again(session, ExecutionKey(old.project, old.domain, old.name), store=registered.store)


def _reads(uri: str) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(literals={"reads": blob(uri)})
