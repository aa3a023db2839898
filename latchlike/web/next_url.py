"""Where to send a browser after it signs in: `next=` is only ever a path on this site.

An open redirect (`next=//evil.example`, `next=https://evil.example`, `next=/\\evil.example`,
which browsers read as another host) would let a phishing link hand a fresh login to
another site's page; anything but a plain same-site path becomes `DEFAULT`."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["DEFAULT", "safe_next"]

DEFAULT = "/workflows"


def safe_next(next_url: str | None) -> str:
    """`next_url` if it is a path on this site (with its query), else `DEFAULT`."""
    if not next_url or len(next_url) > 2048:
        return DEFAULT
    if not next_url.startswith("/") or next_url.startswith("//") or "\\" in next_url:
        return DEFAULT
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in next_url):  # a tab or newline is dropped by browsers
        return DEFAULT
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc:
        return DEFAULT
    return next_url
