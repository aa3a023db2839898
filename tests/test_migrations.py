"""The Alembic migrations create exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from latchlike.db import MIGRATIONS_DIR, Base, Database, migrate
from latchlike.executions.tables import ExecutionRow, NodeExecutionRow, TaskCacheRow
from latchlike.specs.tables import EntityRow, ProjectRow
from latchlike.uploads.tables import UploadedObjectRow


def test_migrations_match_models(tmp_path: Path) -> None:
    models = {
        EntityRow.__tablename__,
        ProjectRow.__tablename__,
        UploadedObjectRow.__tablename__,
        ExecutionRow.__tablename__,
        NodeExecutionRow.__tablename__,
        TaskCacheRow.__tablename__,
    }
    assert models <= set(Base.metadata.tables)
    db = Database(f"sqlite:///{tmp_path / 'schema.db'}")
    migrate(db.engine)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert differences == []


def test_migrating_twice_is_harmless(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'schema.db'}")
    migrate(db.engine)
    migrate(db.engine)
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()
    db.dispose()


def _head() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
