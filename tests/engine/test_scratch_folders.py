"""Two tasks run by the fork server at the same time each get a scratch folder of their own:
the report one writes is never the other's, nor emptied by it (the QC report that read back
empty after SUCCEEDED)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from flyteidl.core import literals_pb2

from latchlike.platform import Platform
from tests.engine.running import launch, run_until_done

pytestmark = pytest.mark.slow


def test_tasks_running_at_once_never_share_a_scratch_folder(registered: Platform) -> None:
    key = launch(registered, "pipelines.scratch.two_reports", {"first": "A", "second": "B"})
    execution = run_until_done(registered, key, warm=True)
    assert execution.phase == "SUCCEEDED", execution.error
    assert execution.outputs is not None
    outputs = literals_pb2.LiteralMap.FromString(execution.outputs).literals
    uris = {name: outputs[name].scalar.blob.uri for name in ("first", "second")}
    written = {}
    for name, uri in uris.items():
        stored = registered.store.key_of(uri)
        assert stored is not None, uri
        with registered.store.open(stored) as handle:
            written[name] = handle.read()
    assert written == {"first": b"A" * 1000, "second": b"B" * 1000}
    # flytekit names its folders from its own random generator, which each child of the fork
    # server must reseed: inherited, it gave every task the same "random" names.
    folders = {PurePosixPath(uri).parent.name for uri in uris.values()}
    assert len(folders) == 2, uris
    # The scratch folders go with their tasks: the reports live on in the store only.
    assert list((registered.settings.data_dir / "work").rglob("report.txt")) == []


@pytest.mark.parametrize("warm", [True, False], ids=["fork-server", "own-process"])
def test_a_tasks_temporary_files_go_with_it(registered: Platform, warm: bool) -> None:
    """flytekit makes a `/tmp/flyte…` folder for every task and never removes it (tens of
    thousands piled up on a busy machine): a task's temporary folder is in its attempt's
    working directory, and removed when the task ends."""
    key = launch(registered, "pipelines.temp_files.temp_folder", {})
    execution = run_until_done(registered, key, warm=warm)
    assert execution.phase == "SUCCEEDED", execution.error
    assert execution.outputs is not None
    left = Path(literals_pb2.LiteralMap.FromString(execution.outputs).literals["o0"].scalar.primitive.string_value)
    work = registered.settings.data_dir / "work"
    assert left.is_relative_to(work), left
    assert not left.exists()
    assert list(work.glob("*/.tmp")) == []  # flytekit's own folders went with the task's
