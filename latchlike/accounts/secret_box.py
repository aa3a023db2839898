"""Sealing workspace secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the
server's signing key, so a copy of the database alone reveals nothing. The workspace, group
and key are the associated data: a sealed value moved to another row does not open there.

Changing the signing key makes every sealed value unreadable; they must be set again.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from latchlike.errors import InternalError

__all__ = ["SecretBox"]

_NONCE_BYTES = 12
_PURPOSE = b"latchlike workspace secrets v1"


class SecretBox:
    def __init__(self, signing_key: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(signing_key)
        self._aead = AESGCM(derived)

    def seal(self, workspace: str, group: str, key: str, value: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode(), _bound(workspace, group, key))

    def unseal(self, workspace: str, group: str, key: str, sealed: bytes) -> str:
        """The value; InternalError when it cannot be opened (the signing key changed)."""
        nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, ciphertext, _bound(workspace, group, key)).decode()
        except InvalidTag:
            raise InternalError(
                f"workspace {workspace!r} secret {group}/{key} cannot be decrypted (was the server's signing key "
                "changed?): set it again"
            ) from None


def _bound(workspace: str, group: str, key: str) -> bytes:
    return "\0".join((workspace, group, key)).encode()
