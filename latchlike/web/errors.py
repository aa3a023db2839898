"""The one table from latchlike errors to HTTP responses.

JSON for /api/ and uploads; a readable page for everything a person opens.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from latchlike import errors
from latchlike.web.templating import templates

log = logging.getLogger(__name__)

HTTP_STATUS_BY_ERROR: dict[type[errors.LatchlikeError], int] = {
    errors.InvalidArgument: 400,
    errors.PermissionDenied: 403,
    errors.NotFound: 404,
    errors.AlreadyExists: 409,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.InternalError: 500,
}


def http_status_for(error: errors.LatchlikeError) -> int:
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS_BY_ERROR:
            return HTTP_STATUS_BY_ERROR[cls]
    return 500


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.LatchlikeError)
    async def latchlike_error(request: Request, error: errors.LatchlikeError) -> Response:
        status = http_status_for(error)
        if _wants_json(request):
            return JSONResponse({"error": type(error).__name__, "message": error.message}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": error.message}, status_code=status
        )


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/upload/")) or "text/html" not in request.headers.get("accept", "")
