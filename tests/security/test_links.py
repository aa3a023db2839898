"""Only absolute http(s) URLs become links, wherever an author's text is shown: one rule
(`ui_gen.links.safe_href`) for metadata links and Markdown in docstrings."""

from __future__ import annotations

import re

import pytest

from latchlike.specs.about import link
from latchlike.web.markdown import render_markdown
from ui_gen.links import safe_href

UNSAFE = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,AAAA",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "mailto:someone@example.org",
    "ftp://example.org/x",
    "tel:+100",
    "/workflows",
    "#anchor",
    "//example.org/x",
    "https:alert(1)",
    "https:\\\\example.org",
    "http://exa mple.org/",
    "",
]
SAFE = ["https://example.org/repo", "http://example.org/a?b=1&c=2#d", "  https://example.org/  "]


@pytest.mark.parametrize("url", UNSAFE)
def test_no_other_url_is_a_link(url: str) -> None:
    assert safe_href(url) is None
    assert link("Repository", url).href is None


@pytest.mark.parametrize("url", SAFE)
def test_http_urls_are_links(url: str) -> None:
    assert safe_href(url) == url.strip()
    assert link("Repository", url).href == url.strip()


@pytest.mark.parametrize("url", [u for u in UNSAFE if u and not any(c in u for c in " \t\n\x01\\")])
def test_markdown_links_and_images_keep_only_http_urls(url: str) -> None:
    html = str(render_markdown(f"[click]({url}) and ![img]({url}) and <{url}>"))
    targets = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert targets == [], html
    assert "<script" not in html and "onerror" not in html


def test_markdown_keeps_http_links() -> None:
    html = str(render_markdown("[docs](https://example.org/docs?a=1&b=2) <https://example.org>"))
    assert re.findall(r'href="([^"]*)"', html) == ["https://example.org/docs?a=1&amp;b=2", "https://example.org"]
