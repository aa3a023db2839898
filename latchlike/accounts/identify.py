"""Who a request is, from what it proves: the one function HTTP and gRPC both call.

Without accounts (the loopback default) everyone is `LOCAL`. With accounts, an
`Authorization: Bearer <API token>` header wins; else a login session's cookie; else the
request is anonymous, and whatever needs a principal answers Unauthenticated.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from latchlike.accounts.principal import ANONYMOUS, Principal
from latchlike.accounts.sessions import principal_of_session
from latchlike.accounts.tokens import principal_of_token, split_token
from latchlike.errors import Unauthenticated

__all__ = ["bearer_token", "identify"]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` value, or None if there is no such header;
    Unauthenticated if there is one of another scheme (say so rather than ignore it)."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be `Bearer <API token>`")
    return token.strip()


def identify(session: Session, *, token: str | None, cookie: str | None) -> Principal:
    """The principal a bearer `token` or a session `cookie` proves (token first); anonymous if
    neither is given. A bad token is Unauthenticated; a stale cookie is merely anonymous."""
    if token is not None:
        parts = split_token(token)
        if parts is None:
            raise Unauthenticated("this is not a latchlike API token (they start with `llt_`)")
        return principal_of_token(session, *parts)
    if cookie:
        return principal_of_session(session, cookie) or ANONYMOUS
    return ANONYMOUS
