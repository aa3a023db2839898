"""Whether an execution's file is a directory, so the page can offer to browse it.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("execution_files") as table:
        table.add_column(sa.Column("folder", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("execution_files") as table:
        table.drop_column("folder")
