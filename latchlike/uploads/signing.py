"""HMAC-signed, expiring upload URLs. Pure: no I/O, the clock is passed in."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from latchlike.errors import PermissionDenied


@dataclass(frozen=True)
class UploadGrant:
    """What a signed URL allows: one object key, one content MD5, until `expires`."""

    key: str
    md5_hex: str
    expires: int


class UrlSigner:
    def __init__(self, secret: bytes, public_url: str) -> None:
        self._secret = secret
        self._public_url = public_url.rstrip("/")

    def signed_url(self, grant: UploadGrant) -> str:
        query = urlencode(
            {
                "md5": grant.md5_hex,
                "expires": grant.expires,
                "signature": self._sign(grant),
            }
        )
        return f"{self._public_url}/upload/{quote(grant.key)}?{query}"

    def verify(self, grant: UploadGrant, signature: str, *, now: float) -> None:
        # Bytes, not str: compare_digest refuses non-ASCII text, and a URL may carry any.
        given = signature.encode("utf-8", "surrogatepass")
        if not hmac.compare_digest(self._sign(grant).encode(), given):
            raise PermissionDenied("upload URL signature does not match; request a new upload location")
        if now > grant.expires:
            raise PermissionDenied("upload URL has expired; request a new upload location")

    def _sign(self, grant: UploadGrant) -> str:
        message = f"{grant.key}\n{grant.md5_hex}\n{grant.expires}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
