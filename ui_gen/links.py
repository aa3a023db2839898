"""Which URLs may become links: the one decision, used by every page that turns text a
workflow's author wrote (metadata links, Markdown in docstrings) into an `href` or `src`.

Only absolute http(s) URLs with a host qualify. Everything else (`javascript:`, `data:`,
`vbscript:`, `file:`, `mailto:`, relative paths) is shown as text: browsers run or resolve
those in ways an author's text must not decide. Whitespace and control characters inside a
URL are refused rather than cleaned, since browsers drop some of them (`java\tscript:`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["LINK_SCHEMES", "safe_href"]

LINK_SCHEMES = frozenset({"http", "https"})
_HIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029]")


def safe_href(url: str) -> str | None:
    """`url` (without surrounding spaces) when it may be followed, else None."""
    candidate = url.strip()
    if not candidate or _HIDDEN.search(candidate) or "\\" in candidate:
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return candidate
