"""`/docs`: Swagger UI for the JSON API, from vendored files (`static/vendor/swagger-ui`),
so that it renders without reaching any CDN. Its start-up script is a file too
(`static/swagger-init.js`): the Content-Security-Policy runs no inline script."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from latchlike.web.auth import request_principal

SWAGGER_UI = "/static/vendor/swagger-ui"
router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    """A signed-in session's page carries its CSRF token, which "Try it out" sends."""
    principal = await request_principal(request)
    csrf = f'<meta name="csrf-token" content="{escape(principal.csrf_token)}">\n' if principal.csrf_token else ""
    title = escape(f"{request.app.title} API")
    openapi_url = escape(request.app.openapi_url or "/openapi.json")
    return HTMLResponse(f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
<link rel="icon" href="{SWAGGER_UI}/favicon-32x32.png">
{csrf}<title>{title}</title>
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
""")
