"""Who registered each task, workflow and launch plan version (`latchlike` for the server's own;
versions registered before this revision say nobody), and who asked for a QC by hand.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (no table copy); the default fills the old rows.
    op.add_column("registered_entities", sa.Column("registered_by", sa.String(320), nullable=False, server_default=""))
    op.add_column("qc_triggers", sa.Column("requested_by", sa.String(320), nullable=True))


def downgrade() -> None:
    op.drop_column("qc_triggers", "requested_by")
    with op.batch_alter_table("registered_entities") as batch:
        batch.drop_column("registered_by")
