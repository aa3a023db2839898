"""Accounts over HTTP on a real `latchlike serve` with LATCHLIKE_AUTH=accounts: signing in
(cookie, `next=`, one message for every wrong try, rate limit), API tokens, invitations,
members and workspaces, and the CSRF token every page and form carries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from latchlike.accounts.roles import Role
from latchlike.web.auth import CSRF_FIELD
from tests.accounts.fixtures import (
    ADMIN,
    OUTSIDER,
    PASSWORD,
    PROJECT_A,
    WORKSPACE_A,
    WORKSPACE_B,
    People,
    accounts_server,
    email_of,
    signed_in,
    token_id,
)
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
LAUNCH = "/workflows/flytesnacks/development/workflows.hello.hello_world/launch"


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[tuple[RunningServer, People]]:
    with accounts_server(tmp_path_factory.mktemp("accounts") / "data", builtins=True) as started:
        yield started


def _login(server: RunningServer, email: str, password: str, next_url: str = "") -> httpx.Response:
    return httpx.post(f"{server.url}/login", data={"email": email, "password": password, "next": next_url}, timeout=30)


def test_an_empty_server_says_how_to_create_the_first_admin(accounts: tuple[RunningServer, People]) -> None:
    assert "create the first administrator with `latchlike users add" in accounts[0].log()


def test_signing_in_sets_a_hardened_cookie_and_goes_only_to_a_same_site_next(
    accounts: tuple[RunningServer, People],
) -> None:
    server, _ = accounts
    answer = _login(server, email_of(Role.MEMBER), PASSWORD, f"/files/{PROJECT_A}?view=trash")
    assert answer.status_code == 303 and answer.headers["location"] == f"/files/{PROJECT_A}?view=trash"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("latchlike_session=")
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")[1:]}
    assert {"httponly", "path", "samesite", "max-age"} <= attributes.keys() and "secure" not in attributes
    assert attributes["samesite"].strip().lower() == "samesite=lax" and attributes["path"].strip() == "Path=/"
    assert attributes["max-age"].strip() == "Max-Age=604800"
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert _login(server, email_of(Role.MEMBER), PASSWORD, evil).headers["location"] == "/workflows"


def test_a_wrong_password_and_an_unknown_email_read_the_same(accounts: tuple[RunningServer, People]) -> None:
    server, _ = accounts
    wrong = _login(server, email_of(Role.VIEWER), "not the password at all")
    unknown = _login(server, "nobody@a.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "wrong email or password" in wrong.text and "wrong email or password" in unknown.text
    assert "set-cookie" not in wrong.headers


def test_the_sixth_failed_sign_in_of_an_email_is_refused_with_retry_after(
    accounts: tuple[RunningServer, People],
) -> None:
    server, _ = accounts
    target = "target@nowhere.example"
    assert [_login(server, target, f"guess {n} guess").status_code for n in range(5)] == [401] * 5
    refused = _login(server, target, "guess 6 guess")
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "too many failed sign-ins" in refused.text


def test_api_tokens_are_capped_by_ones_role_shown_once_and_revocable(accounts: tuple[RunningServer, People]) -> None:
    server, people = accounts
    client, csrf = signed_in(server.url, email_of(Role.VIEWER))
    headers = {"X-CSRF-Token": csrf}
    wish = {"name": "ci", "workspace": WORKSPACE_A, "role": "member", "days": 30}
    assert client.post("/api/tokens", json=wish, headers=headers).status_code == 403
    assert client.post("/api/tokens", json=wish | {"role": "viewer", "days": 367}, headers=headers).status_code == 422
    assert client.post("/api/tokens", json=wish | {"role": "viewer", "workspace": WORKSPACE_B},
                       headers=headers).status_code == 404  # fmt: skip
    created = client.post("/api/tokens", json=wish | {"role": "viewer"}, headers=headers)
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    token = created.json()["token"]
    me = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert me.json() == {"name": email_of(Role.VIEWER), "via": "token", "site_admin": False,
                         "workspaces": {WORKSPACE_A: "viewer"}}  # fmt: skip
    listed = client.get("/api/tokens").json()
    own = [token_id(people.tokens[Role.VIEWER.value]), created.json()["id"]]  # `populate` made the first
    assert sorted(t["id"] for t in listed) == sorted(own) and not any("token" in t for t in listed)
    assert client.delete(f"/api/tokens/{created.json()['id']}", headers=headers).json()["revoked_at"]
    again = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert again.status_code == 401 and "revoked" in again.json()["message"]


def test_the_token_page_shows_the_token_once_with_the_flytekit_line(accounts: tuple[RunningServer, People]) -> None:
    server, _ = accounts
    client, csrf = signed_in(server.url, email_of(Role.MEMBER))
    form = {"name": "laptop", "workspace": WORKSPACE_A, "role": "member", "days": "90", CSRF_FIELD: csrf}
    page = client.post("/account/tokens", data=form)
    assert page.status_code == 201 and page.headers["cache-control"] == "no-store"
    token = re.search(r'<code id="new-token-value">(llt_[^<]+)</code>', page.text)
    assert token and f"latchlike config flytekit --token {token.group(1)}" in page.text
    account = client.get("/account").text
    assert "laptop" in account and token.group(1).split(".")[1] not in account


def test_an_invited_person_sets_a_password_and_is_signed_in(accounts: tuple[RunningServer, People]) -> None:
    server, _ = accounts
    admin, csrf = signed_in(server.url, email_of(Role.ADMIN))
    asked = admin.post(f"/api/workspaces/{WORKSPACE_A}/invitations", json={"email": "new@a.example", "role": "viewer"},
                       headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert asked.status_code == 201, asked.text
    link = asked.json()["url"]
    assert link.startswith(f"{server.url}/invite/")
    invitee = httpx.Client(timeout=30)
    page = invitee.get(link)
    assert page.status_code == 200 and "new@a.example" in page.text and 'name="password"' in page.text
    differ = invitee.post(link, data={"password": PASSWORD, "password_again": PASSWORD + "!"})
    assert differ.status_code == 400 and "the two passwords differ" in differ.text
    joined = invitee.post(link, data={"password": PASSWORD, "password_again": PASSWORD})
    assert joined.status_code == 303 and joined.headers["location"] == "/account"
    me = invitee.get(f"{server.url}/api/me").json()
    assert me["name"] == "new@a.example" and me["workspaces"] == {WORKSPACE_A: "viewer"}
    assert httpx.get(link, timeout=30).status_code == 404  # once only
    assert link.rsplit("/", 1)[1] not in server.log() and "/invite/…" in server.log()  # not in the access log
    assert _login(server, "new@a.example", PASSWORD).status_code == 303


def test_members_are_managed_by_admins_only_and_keep_an_admin(accounts: tuple[RunningServer, People]) -> None:
    server, people = accounts
    admin, admin_csrf = signed_in(server.url, email_of(Role.ADMIN))
    member, member_csrf = signed_in(server.url, email_of(Role.MEMBER))
    outsider, _ = signed_in(server.url, OUTSIDER)
    members = f"/api/workspaces/{WORKSPACE_A}/members"
    assert {m["email"] for m in member.get(members).json()} >= {email_of(r) for r in Role}
    assert outsider.get(members).status_code == 404  # another workspace's is as good as absent
    viewer_id, admin_id = people.ids[email_of(Role.VIEWER)], people.ids[email_of(Role.ADMIN)]
    denied = member.put(f"{members}/{viewer_id}", json={"role": "admin"}, headers={"X-CSRF-Token": member_csrf})
    assert denied.status_code == 403
    last = admin.put(f"{members}/{admin_id}", json={"role": "member"}, headers={"X-CSRF-Token": admin_csrf})
    assert last.status_code == 409 and "last admin" in last.json()["message"]
    changed = admin.put(f"{members}/{viewer_id}", json={"role": "member"}, headers={"X-CSRF-Token": admin_csrf})
    assert {m["email"]: m["role"] for m in changed.json()}[email_of(Role.VIEWER)] == "member"
    page = admin.post(f"/workspaces/{WORKSPACE_A}/members/{viewer_id}", data={"role": "viewer", CSRF_FIELD: admin_csrf})
    assert page.status_code == 303
    assert {m["email"]: m["role"] for m in admin.get(members).json()}[email_of(Role.VIEWER)] == "viewer"


def test_only_a_site_admin_creates_workspaces_and_each_sees_their_own(accounts: tuple[RunningServer, People]) -> None:
    server, _ = accounts
    site, site_csrf = signed_in(server.url, ADMIN)
    outsider, outsider_csrf = signed_in(server.url, OUTSIDER)
    denied = outsider.post("/api/workspaces", json={"id": "mine"}, headers={"X-CSRF-Token": outsider_csrf})
    assert denied.status_code == 403
    assert site.post("/api/workspaces", json={"id": "lab-c"}, headers={"X-CSRF-Token": site_csrf}).status_code == 201
    assert {w["id"] for w in site.get("/api/workspaces").json()} >= {WORKSPACE_A, WORKSPACE_B, "lab-c"}
    assert [w["id"] for w in outsider.get("/api/workspaces").json()] == [WORKSPACE_B]


def test_every_page_and_form_carries_the_sessions_csrf_token(accounts: tuple[RunningServer, People]) -> None:
    server, _ = accounts
    client, csrf = signed_in(server.url, ADMIN)
    for path in ("/workflows", "/files", "/account", "/workspaces", f"/workspaces/{WORKSPACE_A}", "/docs", LAUNCH):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<meta name="csrf-token" content="{csrf}">' in page.text, path
        for form in re.findall(r'<form[^>]*method="post".*?</form>', page.text, flags=re.S):
            assert f'name="{CSRF_FIELD}" value="{csrf}"' in form, (path, form[:200])
    assert 'id="sign-out"' in client.get("/workflows").text
    assert client.post("/logout", data={CSRF_FIELD: csrf}).status_code == 303
    assert client.get("/api/me").status_code == 401  # the session is gone, not just the cookie


def test_local_mode_has_no_logins_and_pages_as_before(tmp_path: Path, database: str) -> None:
    server = start_server(tmp_path / "data", builtins=False)
    try:
        page = httpx.get(f"{server.url}/workflows", timeout=30).text
        assert "csrf-token" not in page and "sign-out" not in page and "/account" not in page
        assert httpx.get(f"{server.url}/login?next=/files", timeout=30).headers["location"] == "/files"
        assert httpx.get(f"{server.url}/api/me", timeout=30).json()["via"] == "local"
        account = httpx.get(f"{server.url}/account", timeout=30).text
        assert 'id="local-mode"' in account and 'id="new-token"' not in account
    finally:
        server.stop()
