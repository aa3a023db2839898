"""Signals a gate node waits for; execution options (overwrite cache, envs, labels,
annotations, max parallelism); recovery and launch-plan-node links between executions.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("execution_id", sa.Integer(), sa.ForeignKey("executions.id"), nullable=False),
        sa.Column("signal_id", sa.String(255), nullable=False),
        sa.Column("type", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("execution_id", "signal_id", name="uq_signal"),
    )
    with op.batch_alter_table("executions") as table:
        table.add_column(sa.Column("overwrite_cache", sa.Boolean(), nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("envs", sa.JSON(), nullable=True))
        table.add_column(sa.Column("labels", sa.JSON(), nullable=True))
        table.add_column(sa.Column("annotations", sa.JSON(), nullable=True))
        table.add_column(sa.Column("max_parallelism", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("recovered_from", sa.String(255), nullable=True))
        table.add_column(sa.Column("parent_execution", sa.String(255), nullable=True))
        table.add_column(sa.Column("parent_node", sa.String(255), nullable=True))
    with op.batch_alter_table("node_executions") as table:
        table.add_column(sa.Column("child_execution", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("node_executions") as table:
        table.drop_column("child_execution")
    with op.batch_alter_table("executions") as table:
        for column in ("parent_node", "parent_execution", "recovered_from", "max_parallelism", "annotations",
                       "labels", "envs", "overwrite_cache"):  # fmt: skip
            table.drop_column(column)
    op.drop_table("signals")
