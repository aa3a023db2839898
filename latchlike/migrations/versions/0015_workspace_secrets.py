"""Workspace secrets (encrypted values for flytekit `secret_requests`) and a per-workspace
upload limit.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_secrets",
        sa.Column("workspace_id", sa.String(63), sa.ForeignKey("workspaces.id"), primary_key=True),
        sa.Column("secret_group", sa.String(63), primary_key=True),
        sa.Column("secret_key", sa.String(63), primary_key=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_by", sa.String(320), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("max_upload_bytes", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("max_upload_bytes")
    op.drop_table("workspace_secrets")
