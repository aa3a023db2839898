"""The one table from latchlike errors to HTTP responses.

JSON for /api/ and uploads; a readable page for everything a person opens.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from latchlike import errors
from latchlike.web.security import HEADERS
from latchlike.web.templating import templates

log = logging.getLogger(__name__)

HTTP_STATUS_BY_ERROR: dict[type[errors.LatchlikeError], int] = {
    errors.InvalidArgument: 400,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.NotFound: 404,
    errors.AlreadyExists: 409,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.PayloadTooLarge: 413,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
    errors.InternalError: 500,
}


_MEANINGS = {
    400: "The request is malformed: an id, a query value or a header is not valid.",
    401: "The request carries no credentials, or wrong ones.",
    403: "The signed URL's signature does not match or has expired, or a browser sent a change from another site.",
    404: "Nothing is registered or recorded under this id.",
    409: "The object exists already with other content.",
    412: "Something is at that path and the request asked not to replace it (`If-None-Match: *`).",
    413: "The body is larger than the server accepts.",
    429: "Too many attempts in a short time: retry after the `Retry-After` seconds.",
    503: "Too busy right now: retry later.",
}


class ErrorBody(BaseModel):
    """What every refused JSON request gets: the error's kind and a sentence for people."""

    error: str
    message: str


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route can answer, so clients (and the
    schema fuzzing in CI) know them."""
    return {status: {"model": ErrorBody, "description": _MEANINGS[status]} for status in statuses}


def http_status_for(error: errors.LatchlikeError) -> int:
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS_BY_ERROR:
            return HTTP_STATUS_BY_ERROR[cls]
    return 500


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.LatchlikeError)
    async def latchlike_error(request: Request, error: errors.LatchlikeError) -> Response:
        if isinstance(error, errors.Unauthenticated) and _sign_in_first(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        status = http_status_for(error)
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, errors.TooManyRequests) else None
        if _wants_json(request):
            body = {"error": type(error).__name__, "message": error.message}
            return JSONResponse(body, status_code=status, headers=headers)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": error.message}, status_code=status, headers=headers
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        """The framework's own refusals (a body that is not JSON, an unknown route) in the
        same shape as ours, so an API client reads one error format."""
        if not _wants_json(request) or error.status_code < 400:
            return await http_exception_handler(request, error)
        body = {"error": HTTPStatus(error.status_code).phrase.replace(" ", ""), "message": str(error.detail)}
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(Exception)
    async def uncaught(request: Request, error: Exception) -> Response:
        """The 500 of a bug. Starlette builds it in its outermost middleware, outside
        `SecurityHeaders`, so this response brings the security headers itself. The error is
        logged (with its traceback) by the server, as before."""
        headers = {name.decode(): value.decode() for name, value in HEADERS}
        message = "internal server error: this is a bug; the server's log says more"
        if _wants_json(request):
            return JSONResponse({"error": "InternalError", "message": message}, status_code=500, headers=headers)
        return PlainTextResponse(message, status_code=500, headers=headers)


def _sign_in_first(request: Request) -> bool:
    """A person's browser opening a page with no login (none, or an expired one): the login
    page, then back. A bad API token, or a script, gets the 401 instead."""
    principal = getattr(request.state, "principal", None)
    anonymous = principal is not None and not principal.authenticated
    return anonymous and request.method in ("GET", "HEAD") and not _wants_json(request)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/upload/")) or "text/html" not in request.headers.get("accept", "")
