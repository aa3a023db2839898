"""The benchmarks choose their database by their own flags (`--database-url`, `--postgres`)
and read it directly: a suite run on PostgreSQL must not hand its selector to them."""

from __future__ import annotations

import pytest

from tests.postgres import SELECTOR


@pytest.fixture(autouse=True)
def _benchmarks_choose_their_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SELECTOR, raising=False)
    monkeypatch.delenv("LATCHLIKE_DATABASE_URL", raising=False)  # the suite's per-test database
