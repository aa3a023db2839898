"""Managed files as records: files and folders of each project, with checksums, kinds and a trash.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_LIVE = sa.text("trashed_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "managed_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project", sa.String(255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("parent", sa.Text(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("is_folder", sa.Boolean(), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("compression", sa.String(16), nullable=True),
        sa.Column("uploaded_by", sa.String(255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("written_by", sa.String(255), nullable=True),
        sa.Column("trashed_at", sa.DateTime(), nullable=True),
        sa.Column("trash_id", sa.Integer(), nullable=True),
    )
    op.create_index(
        "uq_managed_files_live_path", "managed_files", ["project", "path"], unique=True,
        sqlite_where=_LIVE, postgresql_where=_LIVE,
    )  # fmt: skip
    op.create_index("ix_managed_files_folder", "managed_files", ["project", "parent", "name"])
    op.create_index("ix_managed_files_trash", "managed_files", ["project", "trash_id"])


def downgrade() -> None:
    op.drop_index("ix_managed_files_trash", "managed_files")
    op.drop_index("ix_managed_files_folder", "managed_files")
    op.drop_index("uq_managed_files_live_path", "managed_files")
    op.drop_table("managed_files")
