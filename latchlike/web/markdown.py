"""Docstrings become sanitised HTML: Markdown rendered, then every unsafe tag stripped."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str) -> Markup:
    return Markup(nh3.clean(_markdown.render(text)))
