"""Engine state: one row per attempt of a node; an execution's outcome.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("outputs", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))
    op.create_index("ix_execution_phase", "executions", ["phase"])
    op.create_table(
        "node_executions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("execution_id", sa.Integer(), sa.ForeignKey("executions.id"), nullable=False),
        sa.Column("node_id", sa.String(255), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(255), nullable=False),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("execution_id", "node_id", "attempt", name="uq_node_attempt"),
    )


def downgrade() -> None:
    op.drop_table("node_executions")
    op.drop_index("ix_execution_phase", "executions")
    with op.batch_alter_table("executions") as batch:
        for column in ("finished_at", "started_at", "error", "outputs"):
            batch.drop_column(column)
