"""A file's kind as the user set it: `kind_detected` is false once someone overrode `kind`.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("managed_files", sa.Column("kind_detected", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("managed_files", "kind_detected")  # plain DROP COLUMN (SQLite 3.35+): the partial index stays
