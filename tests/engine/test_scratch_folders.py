"""Two tasks run by the fork server at the same time each get a scratch folder of their own:
the report one writes is never the other's, nor emptied by it (the QC report that read back
empty after SUCCEEDED)."""

from __future__ import annotations

from pathlib import PurePosixPath

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
