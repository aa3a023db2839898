"""The one error tree of latchlike.

    LatchlikeError
    ├── UserError                 the caller can fix it; the message says how
    │   ├── InvalidArgument       malformed or unacceptable input
    │   ├── NotFound              no such project, entity, object
    │   ├── AlreadyExists         an identical thing is already there (idempotent success)
    │   ├── Conflict              a different thing already holds that identity (versions are immutable)
    │   │   └── PreconditionFailed  the caller asked not to replace what is there (`If-None-Match: *`)
    │   ├── Unauthenticated       no credentials, or ones that prove nothing
    │   ├── PermissionDenied      a bad or expired signature, or a resource that is not yours
    │   ├── TooManyRequests       too many attempts (logins) in a short time
    │   └── PayloadTooLarge       an upload over the configured limit
    └── InternalError             our fault: a bug or a broken dependency

Services raise only these. `web/errors.py` turns them into HTTP responses and
`grpc/status.py` into gRPC status codes; nothing else does that translation.
"""

from __future__ import annotations


class LatchlikeError(Exception):
    """Base of every error latchlike raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(LatchlikeError):
    """The request cannot be served as asked; the caller can fix it."""


class InvalidArgument(UserError):
    """Malformed or unacceptable input; the message names the field and the rule."""


class NotFound(UserError):
    """No such project, entity or object."""


class AlreadyExists(UserError):
    """An identical thing is already there; clients treat this as success."""


class Conflict(UserError):
    """A different thing already holds that identity; versions are immutable."""


class PreconditionFailed(Conflict):
    """Something is there and the caller asked for nothing to be replaced."""


class Unauthenticated(UserError):
    """No credentials, or credentials that prove nothing: the caller must say who it is."""


class PermissionDenied(UserError):
    """A bad or expired signature, or a resource that is not the caller's."""


class TooManyRequests(UserError):
    """Too many attempts in a short time (failed logins): wait `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLarge(UserError):
    """An upload over the configured limit."""


class Unavailable(LatchlikeError):
    """Too busy right now: the same request, retried later, will work."""


class InternalError(LatchlikeError):
    """Something on our side failed; the message is safe to show, details are logged."""
