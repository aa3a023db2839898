"""The Alembic migrations create exactly the schema the models describe, on the database the
test run chose (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from latchlike.db import MIGRATIONS_DIR, Base, Database, migrate
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow, TaskCacheRow
from latchlike.files.tables import ManagedFileRow
from latchlike.specs.tables import EntityRow, ProjectRow
from latchlike.uploads.tables import TusUploadRow, UploadedObjectRow
from tests import postgres


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no tables yet."""
    if not postgres.selected():
        yield f"sqlite:///{tmp_path / 'schema.db'}"
        return
    url = postgres.cluster().create_database(migrated=False)
    yield url
    postgres.cluster().drop_database(url)


def test_migrations_match_models(empty_database: str, database: str) -> None:
    models = {
        EntityRow.__tablename__,
        ProjectRow.__tablename__,
        UploadedObjectRow.__tablename__,
        ExecutionRow.__tablename__,
        NodeExecutionRow.__tablename__,
        TaskCacheRow.__tablename__,
        ManagedFileRow.__tablename__,
        TusUploadRow.__tablename__,
    }
    assert models <= set(Base.metadata.tables)
    db = Database(empty_database)
    migrate(db.engine)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert differences == []


def test_migrating_twice_is_harmless(empty_database: str, database: str) -> None:
    db = Database(empty_database)
    migrate(db.engine)
    migrate(db.engine)
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()
    db.dispose()


def _head() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
