"""Which names a server without accounts answers to: this machine's, and its public URL's.

Without accounts (`auth = local`, loopback only) whoever can send a request is the local
admin, and the origin check (`security.SameOrigin`) takes the `Host` header as our own name.
A page on evil.example whose DNS name is made to resolve to 127.0.0.1 (DNS rebinding) would
then be same-origin with us, read every page and launch code. Its requests name its own host,
so a `Host` that is not a loopback name or address, nor the configured public URL's host, is
refused. pyflyte, the CLI and browsers send `localhost:<port>` or `127.0.0.1:<port>`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from fastapi import Request

from latchlike.errors import InvalidArgument

__all__ = ["LocalHost", "foreign_host_refusal", "is_loopback_name"]


class LocalHost:
    """Route dependency (local mode): a request naming another host is InvalidArgument."""

    def __init__(self, public_url: str = "") -> None:
        """`public_url`: the address users reach us by, whose host is also ours."""
        self._public_host = _hostname(public_url) if public_url else None

    def __call__(self, request: Request) -> None:
        refusal = foreign_host_refusal(request.headers.get("host"), self._public_host)
        if refusal:
            raise InvalidArgument(refusal)


def foreign_host_refusal(host_header: str | None, public_host: str | None = None) -> str | None:
    """Why a request with this `Host` is refused, or None. Pure. A request with no Host at all
    (HTTP/1.0) names no other site and passes."""
    if not host_header:
        return None
    host = _hostname(f"http://{host_header.strip()}")
    if host is not None and (is_loopback_name(host) or host == public_host):
        return None
    return (
        f"refused: this server answers only to this machine's names (localhost, 127.0.0.1) and its public URL, "
        f"not to Host {host_header!r} (a page of another site resolving to this machine: DNS rebinding). "
        "Open the server at http://localhost:<port>, or set LATCHLIKE_PUBLIC_URL to the address you use."
    )


def is_loopback_name(host: str) -> bool:
    """`localhost`, a name under `.localhost` (browsers resolve those to loopback themselves,
    never through DNS), or a loopback address (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _hostname(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None
