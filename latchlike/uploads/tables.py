"""Objects clients uploaded through signed URLs (fast-register code bundles), and resumable
uploads in progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from latchlike.db import Base, UTCDateTime, utcnow


class UploadedObjectRow(Base):
    __tablename__ = "uploaded_objects"

    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TusUploadRow(Base):
    """A resumable (tus) upload on its way into a project's managed files. Its bytes so far
    are the partial file `<data_dir>/tus/<id>`; the row goes when the last byte is recorded,
    the upload is terminated, or it expires."""

    __tablename__ = "tus_uploads"
    __table_args__ = (Index("ix_tus_uploads_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)
    """Where the file goes, below the project's folder (checked at creation)."""
    length: Mapped[int] = mapped_column(BigInteger)
    overwrite: Mapped[bool] = mapped_column(default=False)
    upload_metadata: Mapped[str] = mapped_column(Text, default="")
    """The client's `Upload-Metadata` header, given back as HEAD answers."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """Pushed on by every PATCH; past it the upload is gone."""
