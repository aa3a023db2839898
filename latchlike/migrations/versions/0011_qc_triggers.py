"""QC on upload: rules, the trigger outbox, the deduplicated runs, and executions' `triggered_by`.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qc_rules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("folder_glob", sa.String(255), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("workflow", sa.String(255), nullable=False),
        sa.Column("version", sa.String(255), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("project", "kind", "folder_glob", name="uq_qc_rule"),
    )
    op.create_table(
        "qc_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(64), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("execution_id", sa.Integer(), sa.ForeignKey("executions.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("uq_qc_runs_dedupe", "qc_runs", ["dedupe_key"], unique=True)
    op.create_table(
        "qc_triggers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("qc_runs.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
    )
    op.create_index("ix_qc_triggers_pending", "qc_triggers", ["processed_at"])
    op.create_index("ix_qc_triggers_file", "qc_triggers", ["file_id", "id"])
    with op.batch_alter_table("executions") as table:
        table.add_column(sa.Column("triggered_by", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("executions") as table:
        table.drop_column("triggered_by")
    op.drop_index("ix_qc_triggers_file", "qc_triggers")
    op.drop_index("ix_qc_triggers_pending", "qc_triggers")
    op.drop_table("qc_triggers")
    op.drop_index("uq_qc_runs_dedupe", "qc_runs")
    op.drop_table("qc_runs")
    op.drop_table("qc_rules")
