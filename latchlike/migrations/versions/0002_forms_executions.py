"""Forms and executions: source hints kept with each workflow version; the executions
table that form submissions write (the engine picks QUEUED rows up).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registered_entities") as batch:
        batch.add_column(sa.Column("form_hints", sa.Text(), nullable=True))
    op.create_table(
        "executions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project", sa.String(255), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("launch_plan", sa.String(255), nullable=False),
        sa.Column("workflow", sa.String(255), nullable=False),
        sa.Column("version", sa.String(255), nullable=False),
        sa.Column("inputs", sa.LargeBinary(), nullable=False),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("launched_by", sa.String(255), nullable=False),
        sa.Column("relaunch_of", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("project", "domain", "name", name="uq_execution_name"),
    )
    op.create_index("ix_execution_created", "executions", ["project", "domain", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_execution_created", "executions")
    op.drop_table("executions")
    with op.batch_alter_table("registered_entities") as batch:
        batch.drop_column("form_hints")
