"""Output directories chosen in a form (Latch's `output: true`), recorded into the project's
managed files when their execution succeeds.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "execution_output_dirs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("execution_id", sa.Integer(), sa.ForeignKey("executions.id"), nullable=False),
        sa.Column("input", sa.String(255), nullable=False),
        sa.Column("project", sa.String(255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_execution_output_dirs_execution", "execution_output_dirs", ["execution_id"])


def downgrade() -> None:
    op.drop_index("ix_execution_output_dirs_execution", "execution_output_dirs")
    op.drop_table("execution_output_dirs")
