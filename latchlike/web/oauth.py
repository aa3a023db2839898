"""`POST /oauth2/token`: the OAuth2 token endpoint flytekit's `authType: ClientSecret` calls
(RFC 6749 §4.4, client authentication by HTTP Basic). Answers are RFC 6749 JSON, errors
included (`invalid_client` with a sentence saying what to do), since flytekit prints the
body of a refusal as it comes."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from latchlike.accounts.client_credentials import grant_client_credentials
from latchlike.errors import Unauthenticated
from latchlike.grpc.authmeta import CLIENT_CREDENTIALS, TOKEN_PATH
from latchlike.web.deps import DatabaseDep

router = APIRouter(tags=["accounts"])


class TokenBody(BaseModel):
    access_token: str
    token_type: str
    expires_in: int


class OAuthError(BaseModel):
    """RFC 6749 §5.2."""

    error: str
    error_description: str


RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": OAuthError, "description": "`unsupported_grant_type`: only client_credentials is supported."},
    401: {"model": OAuthError, "description": "`invalid_client`: no, or no valid, API token id and secret."},
}

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
HINT = "; then run `latchlike config flytekit --token <API token>` again"


@router.post(TOKEN_PATH, response_model=TokenBody, responses=RESPONSES)
async def token(
    db: DatabaseDep,
    grant_type: Annotated[str, Form()] = "",
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """An access token for an API token's id and secret (HTTP Basic), for `client_credentials`."""
    if grant_type != CLIENT_CREDENTIALS:
        return _error(400, "unsupported_grant_type", f"only grant_type={CLIENT_CREDENTIALS} is supported")
    credentials = _basic(authorization)
    if credentials is None:
        return _error(401, "invalid_client", "authenticate with HTTP Basic: the API token's id and secret" + HINT)
    try:
        granted = await db.run(lambda session: grant_client_credentials(session, *credentials))
    except Unauthenticated as error:
        return _error(401, "invalid_client", error.message + HINT)
    body = {"access_token": granted.token, "token_type": "Bearer", "expires_in": granted.expires_in}
    return JSONResponse(body, headers=NO_STORE)


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """(client id, secret) of an `Authorization: Basic` value (each form-urlencoded, RFC 6749 §2.3.1)."""
    scheme, _, encoded = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    return (unquote_plus(client_id), unquote_plus(secret)) if colon else None


def _error(status: int, error: str, description: str) -> JSONResponse:
    headers = NO_STORE | ({"WWW-Authenticate": 'Basic realm="latchlike"'} if status == 401 else {})
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)
