"""OAuth2's client-credentials grant for API tokens: how flytekit's `authType: ClientSecret`
authenticates. The client id is a token's id, the client secret its secret; the access
token handed back is the API token itself, so every gRPC call is checked against the token's
current state (revoked, expired, its owner's membership) and nothing else is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from latchlike.accounts.tables import ApiTokenRow
from latchlike.accounts.tokens import PREFIX, principal_of_token
from latchlike.db import utcnow
from latchlike.errors import Unauthenticated

__all__ = ["AccessToken", "grant_client_credentials"]

_TOKEN_ID = re.compile(r"[0-9a-f]{1,32}")


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int
    """Seconds until the API token expires."""


def grant_client_credentials(session: Session, client_id: str, client_secret: str) -> AccessToken:
    """The access token for a token's id and secret, or Unauthenticated saying what is wrong."""
    if client_id.startswith(PREFIX):  # the whole token's prefix pasted as the id
        client_id = client_id[len(PREFIX) :]
    if not _TOKEN_ID.fullmatch(client_id) or not client_secret:
        raise Unauthenticated("the client id and secret are an API token's two halves: llt_<id>.<secret>")
    principal_of_token(session, client_id, client_secret)
    row = session.get(ApiTokenRow, client_id)
    assert row is not None, "principal_of_token found it"
    seconds = int((row.expires_at - utcnow()).total_seconds())
    return AccessToken(f"{PREFIX}{client_id}.{client_secret}", max(seconds, 1))
