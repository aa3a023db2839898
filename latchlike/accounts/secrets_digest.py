"""Random credentials and their stored digests (session cookies, token secrets, invitations)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["digest", "new_secret", "same_digest"]


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same_digest(secret: str, stored: str) -> bool:
    return hmac.compare_digest(digest(secret), stored)
