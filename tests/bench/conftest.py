"""The benchmarks choose their database by their own flags (`--database-url`, `--postgres`)
and read it directly: a suite run on PostgreSQL must not hand its selector to them, nor the
refusal an unmarked test's processes get (tests/database_scope.py). So they give the same
answer on both runs, and the PostgreSQL run leaves them out."""

from __future__ import annotations

import pytest

from tests.postgres import SELECTOR


@pytest.fixture(autouse=True)
def _benchmarks_choose_their_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SELECTOR, raising=False)
    monkeypatch.delenv("LATCHLIKE_DATABASE_URL", raising=False)  # the suite's refusal
