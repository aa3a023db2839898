"""The long-lived parts every request uses, opened once from Settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from latchlike.accounts.secret_box import SecretBox
from latchlike.accounts.sessions import forget_expired
from latchlike.config import Settings
from latchlike.db import Database, migrate
from latchlike.downloads.links import DownloadLinks
from latchlike.files.reconcile import reconcile
from latchlike.launches.queue import LaunchQueue
from latchlike.specs.projects import ensure_project
from latchlike.store import FileStore
from latchlike.store.local import LocalFileStore
from latchlike.uploads.service import clean_staging
from latchlike.uploads.signing import DownloadSigner, UrlSigner
from latchlike.uploads.tus import clean_uploads, upload_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Platform:
    settings: Settings
    db: Database
    store: FileStore
    signer: UrlSigner
    downloads: DownloadSigner
    launches: LaunchQueue = field(init=False)
    """Launches from requests, recorded in batches (group commit) on `db`."""
    secret_box: SecretBox = field(init=False)
    """Seals workspace secrets with a key derived from the signing key."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "launches", LaunchQueue(self.db))
        object.__setattr__(self, "secret_box", SecretBox(self.settings.load_signing_key()))

    @property
    def upload_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.upload_url_ttl_seconds)

    @property
    def download_links(self) -> DownloadLinks:
        """Links last as long as upload URLs: long enough to fetch, short enough to leak little."""
        return DownloadLinks(self.store, self.downloads, self.settings.resolved_public_url, self.upload_ttl)

    @property
    def staging_dir(self) -> Path:
        """Where uploads are written before they are checked and moved into the store."""
        return staging_dir(self.settings)


def staging_dir(settings: Settings) -> Path:
    return settings.data_dir / "staging"


def open_platform(settings: Settings) -> Platform:
    """Create the data directory, clear abandoned uploads, migrate the schema, make sure the
    default project exists, record managed files that have no record yet."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(settings)
    if staging.is_dir():
        clean_staging(staging)  # nothing uploads before start: whatever is staged was abandoned
    db = Database(settings.resolved_database_url)
    migrate(db.engine)
    with db.session() as session:
        ensure_project(session, project_id=settings.default_project, description="Default project")
        forget_expired(session)  # logins and invitations past their expiry
    clean_uploads(db, upload_dir(settings.data_dir))  # resumable uploads past their expiry
    store = settings.open_store()
    if isinstance(store, LocalFileStore) and (sealed := store.seal()):
        log.info("made %d stored objects read-only (written before stored objects were)", sealed)
    reconcile(db, store)
    key = settings.load_signing_key()
    signer = UrlSigner(key, settings.resolved_public_url)
    downloads = DownloadSigner(key, settings.resolved_public_url)
    return Platform(settings=settings, db=db, store=store, signer=signer, downloads=downloads)
