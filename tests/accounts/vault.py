"""The `vault` fixture package (tasks asking for workspace secrets), registered on a test's
platform, and setting a workspace's secrets directly through the service."""

from __future__ import annotations

import hashlib

import pytest

from latchlike.accounts.secrets import set_secret
from latchlike.accounts.tables import DEFAULT_WORKSPACE
from latchlike.platform import Platform
from tests.samples import FIXTURES, SerializedSample, serialize_sample
from tests.ui_gen.registry import register_serialized

SECRETS_PROJECT = FIXTURES / "secrets_project"
TOKEN, CERT = "tok-7f3a9c1e55d2b8a4", "-----BEGIN CERT-----\nMIIB-c0ffee\n-----END CERT-----"
"""The values the tests set; `MIIB-c0ffee` is what a leak of the certificate would show."""


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> SerializedSample:
    return serialize_sample(tmp_path_factory.mktemp("vault"), project_dir=SECRETS_PROJECT, package="vault")


@pytest.fixture
def registered_vault(platform: Platform, vault: SerializedSample, monkeypatch: pytest.MonkeyPatch) -> Platform:
    monkeypatch.setenv("PYTHONPATH", str(SECRETS_PROJECT))  # task processes import the module, as an image would
    register_serialized(platform, vault, SECRETS_PROJECT / "vault", "vault")
    return platform


def set_value(platform: Platform, group: str, key: str, value: str, workspace: str = DEFAULT_WORKSPACE) -> None:
    with platform.db.session() as session:
        set_secret(session, platform.secret_box, workspace=workspace, group=group, key=key, value=value,
                   by="admin@lab.example")  # fmt: skip


def digest(salt: str, value: str) -> str:
    """What the vault's tasks return for a value they read."""
    return hashlib.sha256((salt + value).encode()).hexdigest()


def holds_secret(data: bytes) -> bool:
    return any(value.encode() in data for value in (TOKEN, "MIIB-c0ffee"))
