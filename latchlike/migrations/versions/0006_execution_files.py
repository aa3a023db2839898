"""Files an execution was given and wrote, with checksums and the node that wrote each;
whose fault each failed attempt was (user or system), for the two retry budgets.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "execution_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("execution_id", sa.Integer(), sa.ForeignKey("executions.id"), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("node_id", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_execution_files_execution", "execution_files", ["execution_id"])
    with op.batch_alter_table("node_executions") as table:
        table.add_column(sa.Column("error_kind", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("node_executions") as table:
        table.drop_column("error_kind")
    op.drop_index("ix_execution_files_execution", "execution_files")
    op.drop_table("execution_files")
