"""Latch's output directory (`output: true`) chosen in a form: a real flytekit task writes
its results folder there, and when the execution succeeds the files show in the project's
listing at the chosen path, recorded with the execution that wrote them. The task itself
never writes into the project's files (they are read-only to it)."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy import select

from latchlike.engine.executors.choice import build_executor
from latchlike.files import service
from latchlike.files.staging import StagedFile
from latchlike.files.tables import OutputDirectoryRow
from latchlike.platform import Platform
from latchlike.principal import LOCAL_PRINCIPAL
from tests.engine.running import launch, run_until_done
from tests.server import start_server

pytestmark = pytest.mark.slow


def test_an_output_directory_chosen_in_the_form_becomes_the_projects_files(registered: Platform) -> None:
    chosen = registered.store.uri("files/flytesnacks/results/run1")
    key = launch(registered, "pipelines.outdir.results", {"samples": 2, "output_directory": chosen})
    execution = run_until_done(registered, key, executor=build_executor(registered.settings, registered.store))
    assert execution.phase == "SUCCEEDED", execution.error

    by = f"flytesnacks/development/{key.name}"
    with registered.db.session() as session:
        listing = service.list_folder(session, "flytesnacks", "results/run1")
        assert [(entry.name, entry.is_folder) for entry in listing.entries] == [
            ("per_sample", True), ("summary.txt", False)]  # fmt: skip
        for path, data in [("summary.txt", b"2 samples\n"), ("per_sample/S1.csv", b"sample,reads\nS1,10\n")]:
            row = service.get(session, "flytesnacks", f"results/run1/{path}")
            assert (row.written_by, row.uploaded_by) == (by, LOCAL_PRINCIPAL)
            assert row.sha256 == hashlib.sha256(data).hexdigest() and row.key is not None
            assert b"".join(registered.store.stream(row.key)) == data
        (target,) = session.scalars(select(OutputDirectoryRow)).all()
        assert target.path == "results/run1" and target.recorded_at is not None
    # The task wrote into its execution's own folder, which stays as its provenance.
    assert target.key.startswith(f"executions/flytesnacks/development/{key.name}/")
    assert registered.store.list(target.key + "/")

    # Relaunching from the form offers the folder chosen, not the execution's own.
    server = start_server(registered.settings.data_dir, builtins=False,
                          env={"LATCHLIKE_RUN_ENGINE": "false",
                               "LATCHLIKE_DATABASE_URL": registered.settings.resolved_database_url})  # fmt: skip
    try:
        page = httpx.get(f"{server.url}/workflows/flytesnacks/development/pipelines.outdir.results/launch",
                         params={"relaunch": key.name}).text  # fmt: skip
    finally:
        server.stop()
    # shown by its path in the project, never the server's disk path
    assert 'value="results/run1"' in page and target.key not in page and chosen not in page


def test_an_output_directory_that_cannot_be_recorded_fails_the_execution_and_records_nothing(
    registered: Platform,
) -> None:
    staged = StagedFile(registered.staging_dir)  # a file where the chosen folder must go
    staged.write(b"not a folder\n")
    staged.finish()
    with registered.db.session() as session:
        service.put(session, registered.store, "flytesnacks", "results/run1", staged)
    chosen = registered.store.uri("files/flytesnacks/results/run1")
    key = launch(registered, "pipelines.outdir.results", {"samples": 1, "output_directory": chosen})
    execution = run_until_done(registered, key, executor=build_executor(registered.settings, registered.store))
    assert execution.phase == "FAILED"
    assert execution.error is not None and "could not be recorded" in execution.error and "is a file" in execution.error
    with registered.db.session() as session:
        assert [entry.name for entry in service.list_folder(session, "flytesnacks", "results").entries] == ["run1"]
        assert not service.get(session, "flytesnacks", "results/run1").is_folder
        (target,) = session.scalars(select(OutputDirectoryRow)).all()
        assert target.recorded_at is None
