"""Chromium on a server with accounts: signing in, a token shown once, signing out; a wrong
password; an invitation accepted; hostile text (metadata links, a file name, a form value, an
email, a workspace name) shown as text; and the scripts sending the session's CSRF token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Dialog, Page, Request, expect

from latchlike.accounts.roles import Role
from tests.accounts.fixtures import (
    ADMIN,
    PASSWORD,
    PROJECT_A,
    WORKSPACE_A,
    WORKSPACE_B,
    accounts_server,
    add_person,
    email_of,
    opened,
    register_sample,
    signed_in,
)
from tests.browser import browser_page
from tests.samples import FIXTURES, serialize_sample
from tests.server import RunningServer
from tests.web.test_files_page_upload import drop

pytestmark = pytest.mark.slow
HOSTILE_EMAIL = "<svg/onload=alert('email')>@x.example"
HOSTILE_FILE = "<script>alert('file')<.txt"  # no slash: that would make a folder
HOSTILE_FORM = "<script>alert('form')</script>"
HOSTILE_WORKSPACE = "<img src=x onerror=alert('workspace')>"
LAUNCH = f"/workflows/{PROJECT_A}/development/hostile_ws.hostile.hostile/launch"


@dataclass(frozen=True)
class Site:
    server: RunningServer
    url: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("accounts") / "data"
    with accounts_server(data_dir, env={"LATCHLIKE_RUN_ENGINE": "false"}) as (running, _):
        with opened(running.database_url) as db, db.session() as session:
            add_person(session, HOSTILE_EMAIL, {WORKSPACE_A: Role.VIEWER})
        sample = serialize_sample(tmp_path_factory.mktemp("hostile"), project=PROJECT_A,
                                  project_dir=FIXTURES / "accounts_project", package="hostile_ws")  # fmt: skip
        register_sample(running.database_url, sample)
        member, csrf = signed_in(running.url, email_of(Role.MEMBER))
        put = member.put(f"/api/files/{PROJECT_A}/{quote(HOSTILE_FILE)}", content=b"x", headers={"X-CSRF-Token": csrf})
        assert put.status_code in (200, 201), put.text
        yield Site(running, running.url)


@pytest.fixture
def dialogs() -> list[str]:
    return []


def _watch(page: Page, dialogs: list[str]) -> None:
    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)


def _sign_in(page: Page, url: str, email: str, password: str = PASSWORD, next_path: str = "/account") -> None:
    page.goto(f"{url}/login?next={quote(next_path)}")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_create_a_token_shown_once_and_sign_out(site: Site) -> None:
    with browser_page() as page:
        _sign_in(page, site.url, email_of(Role.MEMBER))
        expect(page.locator("#account-email")).to_have_text(email_of(Role.MEMBER))
        expect(page.locator("#signed-in-as")).to_have_text(email_of(Role.MEMBER))
        expect(page.locator("#workspaces-link")).to_have_count(0)  # not an admin
        expect(page.locator("#my-workspaces")).to_contain_text(WORKSPACE_A)
        expect(page.locator("#my-workspaces")).not_to_contain_text(WORKSPACE_B)

        page.get_by_label("Name (what it is for)").fill("laptop")
        page.get_by_label("Role (at most your own in that workspace)").select_option("member")
        page.get_by_role("button", name="Create token").click()
        token = page.locator("#new-token-value").inner_text()
        assert token.startswith("llt_")
        expect(page.locator("#flytekit-line")).to_have_text(f"latchlike config flytekit --token {token}")
        page.locator("button[data-copy=new-token-value]").click()
        expect(page.locator("#copy-status")).not_to_be_empty()

        page.get_by_role("link", name="Back to your account").click()
        expect(page.locator("#my-tokens")).to_contain_text("laptop")
        assert token.split(".")[1] not in page.content()  # shown once, never again

        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{site.url}/login")
        expect(page.locator("#sign-out")).to_have_count(0)
        assert page.request.get(f"{site.url}/api/me").status == 401


def test_a_wrong_password_says_so_and_keeps_the_email(site: Site) -> None:
    with browser_page(expected_errors={"status of 401": "a wrong password answers 401"}) as page:
        _sign_in(page, site.url, email_of(Role.VIEWER), "not my password at all")
        expect(page.locator("#login-error")).to_have_text("wrong email or password")
        expect(page.get_by_label("Email", exact=True)).to_have_value(email_of(Role.VIEWER))
        expect(page.locator("#sign-out")).to_have_count(0)


def test_an_invitation_is_made_and_accepted(site: Site, dialogs: list[str]) -> None:
    with browser_page() as page:
        _watch(page, dialogs)
        _sign_in(page, site.url, email_of(Role.ADMIN), next_path="/workflows")
        page.locator("#workspaces-link").click()
        page.get_by_role("link", name=WORKSPACE_A).click()
        expect(page.locator("#members")).to_contain_text(HOSTILE_EMAIL)  # an email is text, never markup
        page.get_by_label("Email", exact=True).fill("newcomer@a.example")
        page.get_by_label("Role", exact=True).select_option("viewer")
        page.get_by_role("button", name="Create invitation link").click()
        link = page.locator("#invitation-link").inner_text()
        assert link.startswith(f"{site.url}/invite/")

        page.context.clear_cookies()  # the invitee, in a browser of their own
        page.goto(link)
        expect(page.locator("#invited-email")).to_have_text("newcomer@a.example")
        page.get_by_label("Choose a password").fill(PASSWORD)
        page.get_by_label("The same password again").fill(PASSWORD)
        page.get_by_role("button", name=f"Join {WORKSPACE_A}").click()
        expect(page).to_have_url(f"{site.url}/account")
        expect(page.locator("#account-email")).to_have_text("newcomer@a.example")
        expect(page.locator("#my-workspaces")).to_contain_text("viewer")
    assert dialogs == []


def test_hostile_text_is_shown_as_text(site: Site, dialogs: list[str]) -> None:
    with browser_page(expected_errors={"status of 422": "the form is sent with a number that is not one"}) as page:
        _watch(page, dialogs)
        _sign_in(page, site.url, ADMIN, next_path="/workspaces")
        page.get_by_label("Id (lowercase letters, digits, dashes)").fill("hostile")
        page.get_by_label("Name", exact=True).fill(HOSTILE_WORKSPACE)
        page.get_by_role("button", name="Create").click()
        expect(page).to_have_url(f"{site.url}/workspaces/hostile")
        page.goto(f"{site.url}/workspaces")
        expect(page.locator("#workspaces")).to_contain_text(HOSTILE_WORKSPACE)

        page.goto(f"{site.url}/workspaces/{WORKSPACE_A}")
        page.locator("form#invite").evaluate("form => { form.noValidate = true; }")  # an attacker skips the checks
        page.get_by_label("Email", exact=True).fill(HOSTILE_EMAIL)
        page.get_by_role("button", name="Create invitation link").click()
        expect(page.locator("main h1")).to_have_text(f"Invitation for {HOSTILE_EMAIL}")

        page.goto(f"{site.url}/files/{PROJECT_A}")
        expect(page.locator("#file-table tbody")).to_contain_text(HOSTILE_FILE)

        page.goto(site.url + LAUNCH)
        meta = page.locator("p.meta")
        expect(meta).to_contain_text("javascript:alert(document.domain)")
        expect(meta).to_contain_text("<img src=x onerror=alert('author')>")
        assert page.locator("a[href^='javascript' i], a[href*='script:' i]").count() == 0
        page.get_by_label("Text").fill(HOSTILE_FORM)
        # A value the browser would not send: the server refuses it and echoes the whole form.
        page.get_by_label("Times").evaluate("input => { input.type = 'text'; input.value = 'many'; }")
        page.get_by_role("button", name="Launch").click()
        expect(page.locator("#form-errors")).to_be_visible()
        expect(page.get_by_label("Text")).to_have_value(HOSTILE_FORM)
        assert page.locator("main script:not([src])").count() == 0
        assert page.locator("img[src=x], svg[onload]").count() == 0
    assert dialogs == []


def test_scripts_send_the_sessions_csrf_token(site: Site, tmp_path: Path) -> None:
    sent: list[tuple[str, str, str | None]] = []

    def note(request: Request) -> None:
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            sent.append((request.method, request.url, request.headers.get("x-csrf-token")))

    with browser_page() as page:
        _sign_in(page, site.url, email_of(Role.MEMBER), next_path=f"/files/{PROJECT_A}")
        csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
        assert csrf
        page.on("request", note)
        page.get_by_role("button", name="New folder").click()
        page.locator("#ask-input").fill("made-here")
        page.get_by_role("button", name="OK").click()
        expect(page.locator("#file-table tbody")).to_contain_text("made-here")
        upload = tmp_path / "sample.csv"
        upload.write_text("a,b\n1,2\n")
        drop(page, [upload])
        expect(page.locator('#upload-list li[data-path="sample.csv"] .upload-state')).to_have_text(
            "done", timeout=60_000
        )
    with browser_page(
        expected_errors={"status of 4": "whether the server takes the rule does not matter here"}
    ) as page:
        _sign_in(page, site.url, email_of(Role.ADMIN), next_path=f"/projects/{PROJECT_A}/qc-rules")
        page.on("request", note)
        page.get_by_label("Workflow").fill("hostile_ws.hostile.hostile")
        with page.expect_response(lambda answer: answer.request.method == "POST"):
            page.get_by_role("button", name="Save rule").click()
        admin_csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    qc = [token for method, url, token in sent if url.endswith(f"/api/projects/{PROJECT_A}/qc-rules")]
    assert qc == [admin_csrf], sent
    sent = [request for request in sent if "/qc-rules" not in request[1]]
    methods = {method for method, _, _ in sent}
    assert {"POST", "PATCH"} <= methods, sent
    assert any(":mkdir" in url for _, url, _ in sent) and any("/api/tus/" in url for _, url, _ in sent)
    assert all(token == csrf for _, _, token in sent), sent
