"""Migration 0011 creates exactly the QC tables and the executions' `triggered_by` column the
models describe, on the database the test run chose, and goes back down cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from latchlike.db import MIGRATIONS_DIR, Base, Database, migrate
from latchlike.triggers.tables import QcRuleRow, QcRunRow, TriggerRow
from tests import postgres


def test_the_qc_migration_matches_the_models_and_downgrades(tmp_path: Path, database: str) -> None:
    assert {QcRuleRow.__tablename__, QcRunRow.__tablename__, TriggerRow.__tablename__} <= set(Base.metadata.tables)
    url = postgres.cluster().create_database(migrated=False) if postgres.selected() else f"sqlite:///{tmp_path}/s.db"
    db = Database(url)
    try:
        migrate(db.engine)
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
        with db.engine.connect() as connection:
            assert not {"qc_rules", "qc_runs", "qc_triggers"} & set(db.engine.dialect.get_table_names(connection))
    finally:
        db.dispose()
        if postgres.selected():
            postgres.cluster().drop_database(url)
