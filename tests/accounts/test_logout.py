"""Signing out on a real accounts-mode server: the session cookie is ambient, so `POST /logout`
ends a session only when it echoes the session's CSRF token, as every other cookie change does."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from latchlike.web.auth import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE
from tests.accounts.fixtures import ADMIN, People, accounts_server, signed_in
from tests.server import RunningServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[tuple[RunningServer, People]]:
    with accounts_server(tmp_path_factory.mktemp("logout") / "data") as served:
        yield served


def test_another_site_cannot_sign_a_user_out(accounts: tuple[RunningServer, People]) -> None:
    server, _ = accounts
    client, _ = signed_in(server.url, ADMIN)
    forged = client.post("/logout", data={})  # what a cross-site form (no Origin sent) can post
    assert forged.status_code == 403 and "CSRF token" in forged.json()["message"]
    wrong = client.post("/logout", data={CSRF_FIELD: "not-it"})
    assert wrong.status_code == 403
    assert client.get("/api/me").status_code == 200  # still signed in


def test_the_sign_out_form_and_scripts_end_the_session(accounts: tuple[RunningServer, People]) -> None:
    server, _ = accounts
    client, csrf = signed_in(server.url, ADMIN)
    kept_cookie = client.cookies[SESSION_COOKIE]
    answer = client.post("/logout", data={CSRF_FIELD: csrf})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    stale = httpx.Client(base_url=server.url, cookies={SESSION_COOKIE: kept_cookie}, timeout=30)
    assert stale.get("/api/me").status_code == 401  # the session is gone, not just the cookie
    # A stale cookie, or none, has nothing to end: it goes to the login page.
    assert stale.post("/logout").status_code == 303
    assert httpx.post(f"{server.url}/logout", timeout=30).status_code == 303
    script, script_csrf = signed_in(server.url, ADMIN)
    assert script.post("/logout", headers={CSRF_HEADER: script_csrf}).status_code == 303
    assert script.get("/api/me").status_code == 401
