"""What every HTTP response and every state-changing request goes through, in one place.

`SecurityHeaders` (ASGI middleware) adds the Content-Security-Policy and its companions to
every response: pages run only our own scripts (every one a file under `/static/`), may be
framed only by us, and no response is sniffed into another type. A response that sets a
policy of its own keeps only that one: user files (`sandbox`, no scripts at all) and raw
HTML reports (`sandbox allow-scripts` with no network and no same-origin access, whose
inline scripts the pages' policy would block).

`SameOrigin` (a dependency of every route) refuses a POST, PUT, PATCH or DELETE that a
browser sent from another origin: until accounts exist, a cookie-less server's only CSRF
defence is to know where a request came from. Browsers always say so (`Origin`, else
`Sec-Fetch-Site`, else `Referer`); a request that says nothing (curl, scripts, pyflyte's
signed PUTs) did not come from another site's page and passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from latchlike.errors import PermissionDenied

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "HEADERS",
    "INLINE_TYPES",
    "SameOrigin",
    "SecurityHeaders",
    "cross_origin_refusal",
    "download_headers",
]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; frame-ancestors 'self'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
)
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})  # "none": typed by the user, a bookmark


class SecurityHeaders:
    """Adds each of `HEADERS` to every HTTP response that does not set it itself. The one
    response built outside it, Starlette's 500 for an uncaught exception, carries them from
    where it is built (`web/errors.py`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in HEADERS:
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SameOrigin:
    """Route dependency: a state-changing request from another origin is PermissionDenied."""

    def __init__(self, public_url: str = "") -> None:
        """`public_url`: the address users reach us by (behind a proxy), also our own origin."""
        self._public_origin = _origin(public_url) if public_url else None

    def __call__(self, request: Request) -> None:
        own = {_origin(f"{request.url.scheme}://{request.headers.get('host', '')}"), self._public_origin}
        refusal = cross_origin_refusal(request.method, request.headers, own)
        if refusal:
            raise PermissionDenied(refusal)


def cross_origin_refusal(method: str, headers: Mapping[str, str], own_origins: set[str | None]) -> str | None:
    """Why this request is refused, or None. Pure; `headers` with lowercase names (or
    case-insensitive, as Starlette's)."""
    if method.upper() not in STATE_CHANGING:
        return None
    get = headers.get
    origin = get("origin")
    if origin is not None:
        claimed = _origin(origin)
        return None if claimed is not None and claimed in own_origins else _refusal(f"origin {origin!r}")
    site = get("sec-fetch-site")
    if site is not None:
        return None if site.strip().lower() in _TRUSTED_FETCH_SITES else _refusal(f"a {site} page")
    referer = get("referer")
    if referer:
        source = _origin(referer)
        return None if source is not None and source in own_origins else _refusal(f"page {source!r}")
    return None


def _refusal(source: str) -> str:
    return (
        f"refused: this request to change something came from {source}, not from this server's own pages "
        "(cross-site request forgery protection). Use the server's pages, or a client that is not a browser."
    )


def _origin(url: str) -> str | None:
    """`scheme://host[:port]`, lowercased, default ports dropped (as browsers send Origin)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if not scheme or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


# Types a browser shows without running anything of the file's: these may open in a tab.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"})


def download_headers(filename: str, media_type: str = "application/octet-stream") -> dict[str, str]:
    """Headers for a user's file served from our origin: saved, not opened (unless of a type
    in `INLINE_TYPES`), and sandboxed either way, so a file holding HTML never runs as one of
    our pages. Any file name, spaces and non-ASCII included (RFC 6266), with a plain fallback."""
    disposition = "inline" if media_type in INLINE_TYPES else "attachment"
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return {
        "Content-Disposition": f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}",
        "Content-Security-Policy": "sandbox",
    }
