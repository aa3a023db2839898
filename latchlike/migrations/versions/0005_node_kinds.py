"""Node rows for sub-workflows, branches and map tasks: what a row stands for and the node
it runs inside.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("node_executions") as table:
        table.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="task"))
        table.add_column(sa.Column("parent_id", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("node_executions") as table:
        table.drop_column("parent_id")
        table.drop_column("kind")
