"""The Jinja2 environment shared by every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from latchlike import __version__
from latchlike.web.markdown import render_markdown
from ui_gen.render import install as install_form_templates

TEMPLATES_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals["version"] = __version__
install_form_templates(templates.env, markdown=render_markdown)


async def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page rendered in a worker thread: a large page (or a template that lists the store)
    must not hold up the event loop every other request is waiting in."""
    return await anyio.to_thread.run_sync(
        lambda: templates.TemplateResponse(request, name, context, status_code=status_code)
    )
