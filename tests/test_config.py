"""Settings make every path absolute once, so no part of the platform (nor a task process in
its own working directory) reads a relative path against another folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from latchlike.config import Settings


def test_relative_paths_become_absolute_at_construction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LATCHLIKE_STORE_URL", "file:files")
    settings = Settings(database_url="sqlite:///db/latchlike.db")
    assert settings.data_dir == tmp_path / ".latchlike"
    assert settings.database_url == f"sqlite:///{tmp_path}/db/latchlike.db"
    assert settings.store_url == (tmp_path / "files").as_uri()
    assert settings.resolved_database_url == settings.database_url


def test_the_default_database_and_store_are_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LATCHLIKE_DATABASE_URL", raising=False)  # set by the PostgreSQL test run
    settings = Settings(data_dir=Path("data"))
    assert settings.resolved_database_url == f"sqlite:///{tmp_path}/data/latchlike.db"
    assert settings.resolved_store_url == (tmp_path / "data" / "store").as_uri()


def test_urls_that_name_no_local_path_are_kept() -> None:
    settings = Settings(database_url="postgresql+psycopg://u:secret@db/latchlike", store_url="s3://bucket/prefix")
    assert settings.database_url == "postgresql+psycopg://u:secret@db/latchlike"
    assert settings.store_url == "s3://bucket/prefix"
    assert Settings(database_url="sqlite://").database_url == "sqlite://"
