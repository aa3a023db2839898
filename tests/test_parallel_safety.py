"""The suite runs in pytest-xdist workers (`scripts/test`, CI): what that needs of the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests import postgres
from tests.server import EPHEMERAL_RANGE, REPO

PICK_PORTS = "import json; from tests.server import free_port; print(json.dumps([free_port() for _ in range(200)]))"


def _ports_of(worker: str, workers: int) -> list[int]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTEST_XDIST_WORKER": worker}
    env["PYTEST_XDIST_WORKER_COUNT"] = str(workers)
    output = subprocess.run([sys.executable, "-c", PICK_PORTS], env=env, check=True, capture_output=True, text=True)
    return list(json.loads(output.stdout))


def test_workers_are_handed_ports_no_one_else_is() -> None:
    first_ephemeral = int(EPHEMERAL_RANGE.read_text().split()[0])
    gw0, gw1 = _ports_of("gw0", 2), _ports_of("gw1", 2)
    assert len(set(gw0)) == len(gw0) and len(set(gw1)) == len(gw1)  # no port twice in one worker
    assert not set(gw0) & set(gw1)
    # Below the ephemeral range, where bind(0) and outgoing connections of other processes never land.
    assert max(gw0 + gw1) < first_ephemeral


@pytest.mark.slow
@pytest.mark.skipif(postgres.selected(), reason="collecting does not depend on the database")
def test_every_worker_collects_the_same_tests(request: pytest.FixtureRequest) -> None:
    """xdist refuses to run when its workers collect different test ids, as parameters made
    from the clock (a gzip header's mtime) do when the workers import a second apart. This
    run's own collection (every test of the files it runs) against another process's, made a
    second or more later: one collection more, not two."""
    ours = [item.nodeid for item in request.session.items]
    files = sorted({nodeid.partition("::")[0] for nodeid in ours})
    time.sleep(1.1)  # at least a second after this process collected, however soon this test runs
    collect = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-n", "0", *files]
    output = subprocess.run(collect, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            check=True, capture_output=True, text=True).stdout  # fmt: skip
    theirs = {line for line in output.splitlines() if "::" in line}
    # Ours may be fewer (deselected by -m or -k), never different.
    assert [nodeid for nodeid in ours if nodeid not in theirs] == []
