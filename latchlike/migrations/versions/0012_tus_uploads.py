"""Resumable (tus) uploads in progress: where each goes, its length and when it expires.

Revision ID: 0012
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tus_uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project", sa.String(255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("overwrite", sa.Boolean(), nullable=False),
        sa.Column("upload_metadata", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_tus_uploads_expires_at", "tus_uploads", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_tus_uploads_expires_at", "tus_uploads")
    op.drop_table("tus_uploads")
