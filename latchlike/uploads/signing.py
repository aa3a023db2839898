"""HMAC-signed, expiring upload and download URLs. Pure: no I/O, the clock is passed in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode

from latchlike.errors import PermissionDenied


@dataclass(frozen=True)
class UploadGrant:
    """What a signed URL allows: one object key, one content MD5 (or any content when
    empty), until `expires`."""

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


_DOWNLOAD_PATH = re.compile(r"/download/(?P<expires>[0-9]+)/(?P<signature>[A-Za-z0-9_-]+)/(?P<key>.+)")


@dataclass(frozen=True)
class DownloadGrant:
    """What a signed download URL allows: reading one object key, or everything under a
    folder key ending in '/', until `expires`."""

    key: str
    expires: int


class DownloadSigner:
    """Path-style URLs (`/download/<expires>/<signature>/<key>`) so a folder's listing can
    link its files by plain relative paths, which fsspec's HTTP filesystem follows."""

    def __init__(self, secret: bytes, public_url: str) -> None:
        # Its own key, so no upload signature can ever pass as a download one.
        self._secret = hmac.new(secret, b"latchlike downloads", hashlib.sha256).digest()
        self._public_url = public_url.rstrip("/")

    def signed_url(self, grant: DownloadGrant) -> str:
        return f"{self._public_url}{self.signed_path(grant)}"

    def signed_path(self, grant: DownloadGrant) -> str:
        return f"/download/{grant.expires}/{self._sign(grant.key, grant.expires)}/{quote(grant.key)}"

    @staticmethod
    def read_path(path: str) -> tuple[str, int, str] | None:
        """(key, expires, signature) of a path `signed_path` made, still quoted; None for any other."""
        match = _DOWNLOAD_PATH.fullmatch(path)
        return None if match is None else (unquote(match["key"]), int(match["expires"]), match["signature"])

    def verify(self, key: str, expires: int, signature: str, *, now: float) -> None:
        """Valid when `signature` grants `key` itself or one of the folders above it."""
        parts = key.split("/")
        granted = [key] + ["/".join(parts[:depth]) + "/" for depth in range(len(parts) - 1, 0, -1)]
        given = signature.encode("utf-8", "surrogatepass")  # bytes: compare_digest refuses non-ASCII text
        if not any(hmac.compare_digest(self._sign(candidate, expires).encode(), given) for candidate in granted):
            raise PermissionDenied("download URL signature does not match; ask for a new download link")
        if now > expires:
            raise PermissionDenied("download URL has expired; ask for a new download link")

    def _sign(self, key: str, expires: int) -> str:
        message = f"{key}\n{expires}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
