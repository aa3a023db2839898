"""Turning triggers into executions on the real platform parts (database, local or S3 store,
registered built-ins), without a server: the outbox row commits with the file, one run per
content even when two workers race, a forced re-run, and the states a file can end in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2
from sqlalchemy import func, select

from latchlike.builtins import register_builtin_workflows
from latchlike.config import Settings
from latchlike.executions.tables import ExecutionRow
from latchlike.files import service
from latchlike.files.staging import StagedFile
from latchlike.files.tables import ManagedFileRow
from latchlike.platform import Platform, open_platform
from latchlike.triggers import launcher, state
from latchlike.triggers.outbox import enqueue
from latchlike.triggers.tables import QcRuleRow, QcRunRow, TriggerRow
from tests.s3 import s3_server

FASTA = b">a\nACGT\n>b\nGG\n"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[Platform]:
    """Built-ins registered into project `lab`, as the loop does the first time it needs them."""
    opened = open_platform(Settings(data_dir=tmp_path_factory.mktemp("data"), register_builtin_workflows=False))
    register_builtin_workflows(opened, "lab")
    yield opened
    opened.db.dispose()


def put(platform: Platform, path: str, data: bytes, project: str = "lab") -> ManagedFileRow:
    staged = StagedFile(platform.staging_dir)
    staged.write(data)
    staged.finish()
    with platform.db.session() as session:
        row, _ = service.put(session, platform.store, project, path, staged)
    return row


def triggers_of(platform: Platform, row: ManagedFileRow) -> list[TriggerRow]:
    with platform.db.session() as session:
        return list(session.scalars(select(TriggerRow).where(TriggerRow.file_id == row.id).order_by(TriggerRow.id)))


def process(platform: Platform, trigger: TriggerRow) -> None:
    with platform.db.session() as session:
        launcher.process(session, platform.store, trigger.id)


def qc(platform: Platform, row: ManagedFileRow) -> state.QcInfo:
    with platform.db.session() as session:
        return state.file_qc(session, platform.store, row.id)


def test_recording_a_file_enqueues_its_trigger_in_the_same_transaction(platform: Platform) -> None:
    row = put(platform, "outbox/a.fa", FASTA)
    [trigger] = triggers_of(platform, row)
    assert (trigger.sha256, trigger.path, trigger.processed_at) == (row.sha256, "outbox/a.fa", None)
    assert qc(platform, row).status == "queued"
    staged = StagedFile(platform.staging_dir)
    staged.write(b">lost\nA\n")
    staged.finish()
    staged.path.unlink()  # the object's move into the store fails after the trigger was flushed
    with pytest.raises(FileNotFoundError), platform.db.session() as session:
        service.put(session, platform.store, "lab", "outbox/lost.fa", staged)
    with platform.db.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(TriggerRow).where(TriggerRow.path == "outbox/lost.fa")) == 0
        )
        assert service.find(session, "lab", "outbox/lost.fa") is None


def test_two_workers_racing_on_the_same_content_launch_one_run(platform: Platform) -> None:
    rows = [put(platform, f"race/copy-{i}.fa", FASTA + b">race\nA\n") for i in range(4)]
    triggers = [triggers_of(platform, row)[0] for row in rows]
    start = threading.Barrier(len(triggers))

    def work(trigger: TriggerRow) -> None:
        start.wait()
        process(platform, trigger)

    threads = [threading.Thread(target=work, args=(t,)) for t in triggers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    states = [qc(platform, row) for row in rows]
    assert {s.status for s in states} == {"queued"} and len({s.execution for s in states}) == 1
    with platform.db.session() as session:
        execution = session.scalars(select(ExecutionRow).where(ExecutionRow.triggered_by.like("lab/race/%"))).one()
        assert (execution.source, execution.workflow) == ("trigger", "workflows.qc_fasta.fasta_qc")
    process(platform, triggers[0])  # processed already: nothing happens again


def test_a_forced_trigger_runs_again_and_later_copies_reuse_the_new_run(platform: Platform) -> None:
    first = put(platform, "force/a.fa", FASTA + b">force\nA\n")
    process(platform, triggers_of(platform, first)[0])
    with platform.db.session() as session:
        forced = enqueue(session, session.get(ManagedFileRow, first.id), force=True)  # type: ignore[arg-type]
    process(platform, forced)
    copy = put(platform, "force/b.fa", FASTA + b">force\nA\n")
    process(platform, triggers_of(platform, copy)[0])
    assert qc(platform, copy).execution == qc(platform, first).execution
    with platform.db.session() as session:
        runs = session.scalars(select(QcRunRow).where(QcRunRow.sha256 == first.sha256)).all()
        assert sorted(run.dedupe_key is None for run in runs) == [False, True]


def test_a_rule_matches_the_folder_a_dotted_name_included(platform: Platform) -> None:
    with platform.db.session() as session:
        session.add(QcRuleRow(project="lab", kind="fasta", folder_glob=".hidden", domain="development",
                              workflow="workflows.qc_fasta.fasta_qc", parameters={}, enabled=False))  # fmt: skip
    row = put(platform, ".hidden/a.fa", FASTA + b">hidden\nA\n")
    process(platform, triggers_of(platform, row)[0])
    assert "switched off" in (qc(platform, row).message or "")


def test_files_without_qc_say_why(platform: Platform) -> None:
    text = put(platform, "why/notes.txt", b"some words\n")
    process(platform, triggers_of(platform, text)[0])
    assert (qc(platform, text).status, qc(platform, text).message) == ("none", "no QC rule for text files")
    reads = put(platform, "why/reads.fq", b"@r\nACGT\n+\nIIII\n")  # FASTQ has its built-in QC
    process(platform, triggers_of(platform, reads)[0])
    assert qc(platform, reads).status == "queued"
    gone = put(platform, "why/gone.fa", FASTA + b">gone\nA\n")
    with platform.db.session() as session:
        service.trash(session, platform.store, "lab", "why/gone.fa")
    process(platform, triggers_of(platform, gone)[0])
    assert triggers_of(platform, gone)[0].message == "the file was deleted before its QC started"


def test_a_trigger_launches_on_the_s3_store_too(tmp_path: Path, database: str) -> None:
    with s3_server(tmp_path / "nanio") as s3:
        store = {"store_url": "s3://qc-bucket/latchlike", "s3_endpoint": s3.endpoint, "s3_access_key": s3.access_key,
                 "s3_secret_key": s3.secret_key}  # fmt: skip
        settings = Settings(data_dir=tmp_path / "data", register_builtin_workflows=False, **store)
        on_s3 = open_platform(settings)
        try:
            register_builtin_workflows(on_s3, "lab")
            row = put(on_s3, "s3/a.fa", FASTA)
            process(on_s3, triggers_of(on_s3, row)[0])
            answer = qc(on_s3, row)
            assert answer.status == "queued" and answer.execution is not None
            with on_s3.db.session() as session:
                execution = session.scalars(
                    select(ExecutionRow).where(ExecutionRow.triggered_by == "lab/s3/a.fa")
                ).one()
                inputs = literals_pb2.LiteralMap.FromString(execution.inputs)
            assert inputs.literals["file"].scalar.blob.uri == on_s3.store.uri(row.key or "")
            assert inputs.literals["file"].scalar.blob.uri.startswith("s3://qc-bucket/")
        finally:
            on_s3.db.dispose()


def test_a_project_without_the_builtins_gets_no_workflow(tmp_path: Path, database: str) -> None:
    bare = open_platform(Settings(data_dir=tmp_path / "data", register_builtin_workflows=False))
    try:
        row = put(bare, "a.csv", b"x,y\n1,2\n", project="empty")
        process(bare, triggers_of(bare, row)[0])
        answer = qc(bare, row)
        assert answer.status == "none" and "no workflow workflows.qc_table.table_qc" in (answer.message or "")
    finally:
        bare.db.dispose()


def test_a_folder_entry_without_a_row_of_its_own_has_no_qc(platform: Platform) -> None:
    put(platform, "mixed/a.fa", FASTA + b">mixed\nA\n")
    with platform.db.session() as session:
        folder = service.list_folder(session, "lab", "mixed")
        virtual = folder.entries[0].model_copy(update={"name": "output.txt", "path": "mixed/output.txt"})
        shown = state.folder_with_qc(session, "lab", folder.model_copy(update={"entries": [*folder.entries, virtual]}))
    assert [(e.name, e.qc.status if e.qc else None) for e in shown.entries] == [
        ("a.fa", "queued"),
        ("output.txt", "none"),
    ]
