"""Signing in with an email and a password, with failed attempts rate limited.

An unknown email and a wrong password get the same answer (and cost the same argon2 check),
so nobody learns which addresses have accounts. After `PER_EMAIL` failures for one email, or
`PER_CLIENT` from one client address, within `WINDOW_SECONDS`, further attempts are refused
with TooManyRequests until the oldest failure leaves the window.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.passwords import verify_password
from latchlike.accounts.sessions import start_session
from latchlike.accounts.tables import UserRow
from latchlike.accounts.users import normal_email
from latchlike.errors import InvalidArgument, PermissionDenied, TooManyRequests, Unauthenticated

__all__ = ["PER_CLIENT", "PER_EMAIL", "WINDOW_SECONDS", "LoggedIn", "LoginLimiter", "log_in"]

PER_EMAIL = 5
PER_CLIENT = 20
WINDOW_SECONDS = 15 * 60
WRONG = "wrong email or password"
_SWEEP_AT = 10_000  # keys kept before stale ones are dropped, so a spray of emails cannot grow memory forever


class LoginLimiter:
    """Failed logins per email and per client address, in this process's memory.

    Right for the one-process server latchlike runs (uvicorn with one worker): several server
    processes would each count on their own, multiplying the allowance, and a restart forgets
    every count. Thread-safe: logins are checked in database worker threads."""

    def __init__(
        self,
        *,
        per_email: int = PER_EMAIL,
        per_client: int = PER_CLIENT,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"email": per_email, "client": per_client}
        self._window, self._clock = window, clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, email: str, client: str) -> None:
        """TooManyRequests (with the seconds to wait) if either key is over its limit."""
        with self._lock:
            now = self._clock()
            waits = [self._wait(key, now) for key in (("email", email), ("client", client))]
        wait = max(waits)
        if wait > 0:
            raise TooManyRequests(f"too many failed sign-ins: try again in {_minutes(wait)}", retry_after=wait)

    def failed(self, email: str, client: str) -> None:
        with self._lock:
            now = self._clock()
            if len(self._failures) > _SWEEP_AT:
                self._sweep(now)
            for key in (("email", email), ("client", client)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, email: str) -> None:
        """A right password clears its email's failures (not its client's: one address may
        try many accounts, and succeeding at one says nothing about the others)."""
        with self._lock:
            self._failures.pop(("email", email), None)

    def _wait(self, key: tuple[str, str], now: float) -> int:
        times = self._failures.get(key)
        if times is None:
            return 0
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0
        limit = self._limits[key[0]]
        if len(times) < limit:
            return 0
        # Allowed again once enough failures have aged out to fall under the limit.
        return max(1, int(times[len(times) - limit] + self._window - now + 0.999))

    def _sweep(self, now: float) -> None:
        for key in [key for key, times in self._failures.items() if not times or times[-1] <= now - self._window]:
            del self._failures[key]


@dataclass(frozen=True)
class LoggedIn:
    cookie: str
    """The new login session's cookie value: give it to the browser, never store it."""
    user_id: int
    email: str


def log_in(session: Session, limiter: LoginLimiter, *, email: str, password: str, client: str) -> LoggedIn:
    """Start a login session for the account `email` if `password` is its password.

    Unauthenticated (the same words for an unknown email and a wrong password), TooManyRequests
    over the limits, PermissionDenied for a disabled account given its right password. A hash
    made with older parameters is replaced by a current one."""
    try:
        key = normal_email(email)
    except InvalidArgument:
        key = email.strip().lower()[:320]
    limiter.check(key, client)
    user = session.scalar(select(UserRow).where(UserRow.email == key))
    matches, new_hash = verify_password(password, user.password_hash if user is not None else None)
    if user is None or not matches:
        limiter.failed(key, client)
        raise Unauthenticated(WRONG)
    if user.disabled_at is not None:
        raise PermissionDenied("this account is disabled: ask an administrator")
    if new_hash is not None:
        user.password_hash = new_hash
    limiter.succeeded(key)
    return LoggedIn(start_session(session, user.id), user.id, user.email)


def _minutes(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 120 else f"{(seconds + 59) // 60} minutes"
