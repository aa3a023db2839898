"""Signing in: one answer for an unknown email and a wrong password, disabled accounts
refused, old hashes upgraded, failures rate limited per email and per client address; and
where a browser may be sent afterwards (`next=`)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from latchlike.accounts.login import PER_CLIENT, PER_EMAIL, WINDOW_SECONDS, LoginLimiter, log_in
from latchlike.accounts.sessions import principal_of_session
from latchlike.accounts.tables import UserRow
from latchlike.accounts.users import create_user
from latchlike.db import utcnow
from latchlike.errors import PermissionDenied, TooManyRequests, Unauthenticated
from latchlike.platform import Platform
from latchlike.web.next_url import DEFAULT, safe_next

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_for_one_email_lock_it_for_the_rest_of_the_window() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    for _ in range(PER_EMAIL):
        limiter.check("a@x.org", "10.0.0.1")
        clock.now += 60
        limiter.failed("a@x.org", "10.0.0.1")
    with pytest.raises(TooManyRequests) as refused:
        limiter.check("a@x.org", "10.0.0.2")  # another address does not help
    first_failure = 1060.0
    assert refused.value.retry_after == int(first_failure + WINDOW_SECONDS - clock.now)
    limiter.check("b@x.org", "10.0.0.1")  # another account from the same address still may
    clock.now = first_failure + WINDOW_SECONDS + 1
    limiter.check("a@x.org", "10.0.0.1")  # the oldest failure left the window


def test_twenty_failures_from_one_address_lock_the_address_and_success_clears_only_the_email() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    for n in range(PER_CLIENT):
        limiter.failed(f"user{n}@x.org", "10.0.0.9")
    with pytest.raises(TooManyRequests, match="too many failed sign-ins"):
        limiter.check("someone-else@x.org", "10.0.0.9")
    limiter.check("someone-else@x.org", "10.0.0.8")
    for _ in range(PER_EMAIL):
        limiter.failed("c@x.org", "10.0.0.7")
    limiter.succeeded("c@x.org")
    limiter.check("c@x.org", "10.0.0.6")


def test_unknown_email_and_wrong_password_get_the_same_answer(platform: Platform) -> None:
    with platform.db.session() as session:
        create_user(session, email="Ada@Example.org", password=PASSWORD)
    limiter = LoginLimiter()
    with platform.db.session() as session:
        with pytest.raises(Unauthenticated) as unknown:
            log_in(session, limiter, email="nobody@example.org", password=PASSWORD, client="c")
        with pytest.raises(Unauthenticated) as wrong:
            log_in(session, limiter, email="ada@example.org", password="not the password", client="c")
        with pytest.raises(Unauthenticated) as garbage:
            log_in(session, limiter, email="not an email", password="x", client="c")
    assert unknown.value.message == wrong.value.message == garbage.value.message == "wrong email or password"
    with platform.db.session() as session:
        done = log_in(session, limiter, email=" ADA@example.org ", password=PASSWORD, client="c")
        principal = principal_of_session(session, done.cookie)
    assert principal is not None and principal.name == "ada@example.org" and principal.csrf_token


def test_the_sixth_attempt_is_refused_even_with_the_right_password(platform: Platform) -> None:
    with platform.db.session() as session:
        create_user(session, email="bo@example.org", password=PASSWORD)
    limiter = LoginLimiter()
    for _ in range(PER_EMAIL):
        with platform.db.session() as session, pytest.raises(Unauthenticated):
            log_in(session, limiter, email="bo@example.org", password="guess guess guess", client="c")
    with platform.db.session() as session, pytest.raises(TooManyRequests):
        log_in(session, limiter, email="bo@example.org", password=PASSWORD, client="c")


def test_a_disabled_account_is_refused_and_an_old_hash_upgraded(platform: Platform) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)  # older, cheaper parameters
    with platform.db.session() as session:
        create_user(session, email="old@example.org", password=PASSWORD)
        create_user(session, email="gone@example.org", password=PASSWORD)
        session.execute(update(UserRow).where(UserRow.email == "old@example.org").values(password_hash=weak))
        session.execute(update(UserRow).where(UserRow.email == "gone@example.org").values(disabled_at=utcnow()))
    limiter = LoginLimiter()
    with platform.db.session() as session:
        log_in(session, limiter, email="old@example.org", password=PASSWORD, client="c")
        with pytest.raises(PermissionDenied, match="disabled"):
            log_in(session, limiter, email="gone@example.org", password=PASSWORD, client="c")
    with platform.db.session() as session:
        stored = session.scalar(select(UserRow.password_hash).where(UserRow.email == "old@example.org"))
    assert stored != weak and stored is not None and stored.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("asked", "sent"),
    [
        ("/files/proj-a?view=trash", "/files/proj-a?view=trash"),
        ("/invite/abc", "/invite/abc"),
        ("", DEFAULT),
        ("//evil.example/x", DEFAULT),
        ("/\\evil.example", DEFAULT),
        ("\\\\evil.example", DEFAULT),
        ("https://evil.example/", DEFAULT),
        ("javascript:alert(1)", DEFAULT),
        ("/\t/evil.example", DEFAULT),
        ("evil.example", DEFAULT),
    ],
)
def test_next_is_only_ever_a_path_on_this_site(asked: str, sent: str) -> None:
    assert safe_next(asked) == sent
