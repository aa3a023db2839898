"""Only http(s) URLs from a workflow's metadata become links."""

from __future__ import annotations

import pytest

from latchlike.specs.about import link


@pytest.mark.parametrize("url", ["https://example.org/docs", "http://example.org", " HTTPS://example.org/x "])
def test_http_urls_are_links(url: str) -> None:
    assert link("Docs", url).href == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "example.org/docs",
        "mailto:someone@example.org",
    ],
)
def test_anything_else_is_text(url: str) -> None:
    assert link("Docs", url).href is None
