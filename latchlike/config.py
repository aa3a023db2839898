"""The one typed settings object; every part of the platform receives it explicitly.

Values come from keyword arguments, then `LATCHLIKE_*` environment variables, then the
defaults below, which describe the embedded set-up: SQLite and a local file store under
`data_dir`, nothing else to start. Every path is made absolute once, here: task processes
change into their own working directories, so a relative path would mean another place there.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from latchlike.store import FileStore, open_store


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LATCHLIKE_", frozen=True)

    data_dir: Path = Path(".latchlike")
    host: str = "127.0.0.1"
    http_port: int = Field(8080, ge=0, le=65535)
    grpc_port: int = Field(8089, ge=0, le=65535)
    public_url: str = Field(
        "",
        description="Base URL clients use to reach the HTTP server (signed upload URLs point "
        "here); defaults to http://<host>:<http_port>.",
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL; empty means SQLite in data_dir. PostgreSQL: postgresql+psycopg://…",
    )
    store_url: str = Field(
        "",
        description="Where files live: empty means data_dir/store on local disk; s3://bucket/prefix for S3/MinIO.",
    )
    s3_endpoint: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    signing_key: str = Field(
        "",
        description="Secret for signed upload URLs; empty means a key generated once and kept in data_dir.",
    )
    bucket_events_token: str = Field(
        "",
        description="Shared secret of the S3 bucket-notification webhook (MinIO's MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN); "
        "empty: the webhook is off.",
    )
    reconcile_interval_seconds: float = Field(
        600, ge=0, description="How often the store is compared with the file records (0: only on start)."
    )
    upload_url_ttl_seconds: int = Field(3600, gt=0, le=7 * 24 * 3600)
    max_upload_bytes: int = Field(5 * 1024**3, gt=0)
    tus_expiry_seconds: int = Field(
        24 * 3600, gt=0, description="How long a resumable upload waits for its next byte before it is discarded."
    )
    auth: Literal["local", "accounts"] = Field(
        "local",
        description="local: no logins, whoever reaches the server is its one local admin (allowed only on a "
        "loopback address); accounts: users, workspaces, roles and API tokens.",
    )
    default_project: str = "flytesnacks"
    register_builtin_workflows: bool = True
    run_engine: bool = Field(True, description="Run queued executions in this process (off: only record them).")
    run_triggers: bool = Field(
        True, description="Launch the QC of recorded files in this process (off: only queue it)."
    )
    warm_start: bool = Field(
        True, description="Fork task processes from a worker that has imported flytekit (about 50 ms, not 1 s)."
    )
    max_parallel_tasks: int = Field(
        default_factory=lambda: os.cpu_count() or 2, gt=0, description="Task processes the local executor runs at once."
    )
    system_retries: int = Field(
        3, ge=0, description="Attempts a task gets again after a crash, an eviction or a lost pod (not its own errors)."
    )
    executor: Literal["local", "kubernetes"] = Field(
        "local", description="Where task attempts run: local processes, or one Kubernetes pod each."
    )
    kubernetes_namespace: str = "latchlike"
    kubernetes_service_account: str = Field(
        "", description="Service account of task pods; empty: the namespace's default."
    )
    kubernetes_store_secret: str = Field(
        "", description="Secret whose keys task pods get as environment variables: the store's credentials."
    )
    kubernetes_data_claim: str = Field(
        "",
        description="A ReadWriteMany PersistentVolumeClaim holding data_dir, mounted in every task pod at the same "
        "path, for a local store shared with pods (an s3:// store needs none).",
    )
    kubernetes_owner_deployment: str = Field(
        "", description="The server's Deployment, made the owner of task pods so that deleting it deletes them."
    )
    kubernetes_keep_pods: bool = Field(False, description="Keep ended pods (their logs are read from them).")
    kubernetes_unschedulable_seconds: float = Field(
        300, gt=0, description="How long a pod may wait for a node before its attempt fails (and is retried)."
    )
    builtin_image: str = "ghcr.io/latchlike/latchlike:latest"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("database_url")
    @classmethod
    def _absolute_sqlite_file(cls, value: str) -> str:
        """`sqlite:///x.db` names a file relative to the current folder: make it absolute."""
        if not value.startswith("sqlite"):
            return value
        url = make_url(value)
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:") or Path(database).is_absolute():
            return value
        return url.set(database=str(Path(database).expanduser().resolve())).render_as_string(hide_password=False)

    @field_validator("store_url")
    @classmethod
    def _absolute_store_directory(cls, value: str) -> str:
        """`file:store` names a directory relative to the current folder: make it absolute."""
        parsed = urlparse(value)
        if parsed.scheme != "file" or parsed.netloc or Path(unquote(parsed.path)).is_absolute():
            return value
        return Path(unquote(parsed.path)).expanduser().resolve().as_uri()

    @property
    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.http_port}").rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'latchlike.db'}"

    def open_store(self) -> FileStore:
        return open_store(
            self.resolved_store_url,
            s3_endpoint=self.s3_endpoint,
            s3_access_key=self.s3_access_key,
            s3_secret_key=self.s3_secret_key,
        )

    @property
    def resolved_store_url(self) -> str:
        return self.store_url or (self.data_dir / "store").as_uri()

    def load_signing_key(self) -> bytes:
        """The configured key, or one generated on first use and kept (mode 0600) in data_dir.

        Keeping it on disk means signed URLs stay valid across a restart.
        """
        if self.signing_key:
            return self.signing_key.encode()
        path = self.data_dir / "signing.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_hex(32))
        return path.read_text().strip().encode()
