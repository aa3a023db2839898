"""The Jinja2 environment shared by every page.

Every page knows who is asking: `render` resolves the request's principal first, and the
globals `principal()`, `csrf_field()` and `csrf_fields()` read it, so the layout shows who is
signed in and every state-changing form carries the login's CSRF token (`web/auth.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from latchlike import __version__
from latchlike.accounts.principal import Principal
from latchlike.web.auth import CSRF_FIELD, request_principal
from latchlike.web.markdown import render_markdown
from ui_gen.render import install as install_form_templates

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pass_context
def principal(context: Context) -> Principal | None:
    """The request's principal, if it was resolved (pages rendered by `render` always are)."""
    request = context.get("request")
    return getattr(request.state, "principal", None) if request is not None else None


@pass_context
def csrf_fields(context: Context) -> dict[str, str]:
    """The hidden fields a state-changing form posts: the login's CSRF token, if there is one."""
    who = principal(context)
    return {CSRF_FIELD: who.csrf_token} if who is not None and who.csrf_token else {}


@pass_context
def csrf_field(context: Context) -> Markup:
    return Markup("").join(
        Markup('<input type="hidden" name="{}" value="{}">').format(name, escape(value))
        for name, value in csrf_fields(context).items()
    )


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals |= {"version": __version__, "principal": principal, "csrf_field": csrf_field,
                          "csrf_fields": csrf_fields}  # fmt: skip
install_form_templates(templates.env, markdown=render_markdown)


async def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page rendered in a worker thread: a large page (or a template that lists the store)
    must not hold up the event loop every other request is waiting in."""
    await request_principal(request)
    return await anyio.to_thread.run_sync(
        lambda: templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)
    )
