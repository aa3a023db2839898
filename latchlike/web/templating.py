"""The Jinja2 environment shared by every page."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from latchlike import __version__
from latchlike.web.markdown import render_markdown
from ui_gen.render import install as install_form_templates

TEMPLATES_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals["version"] = __version__
install_form_templates(templates.env, markdown=render_markdown)
