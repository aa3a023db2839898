"""Docstrings become sanitised HTML: Markdown rendered, then every unsafe tag stripped and
every `href`/`src` kept only if `ui_gen.links.safe_href` allows it (absolute http(s))."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from ui_gen.links import LINK_SCHEMES, safe_href

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "longdesc", "action", "formaction", "srcset", "data"})


def _only_safe_urls(tag: str, attribute: str, value: str) -> str | None:
    return safe_href(value) if attribute in _URL_ATTRIBUTES else value


# Relative URLs are refused too: a docstring's link resolves against our pages, not the author's.
_cleaner = nh3.Cleaner(url_schemes=set(LINK_SCHEMES), url_relative="deny", attribute_filter=_only_safe_urls)


def render_markdown(text: str) -> Markup:
    return Markup(_cleaner.clean(_markdown.render(text)))
