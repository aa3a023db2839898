"""The workspace secrets and limits API on the real app with accounts: each role in its own
workspace and in a foreign one, anonymous; a value goes in and never comes out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from latchlike.accounts.roles import Role
from latchlike.accounts.sessions import principal_of_session, start_session
from latchlike.accounts.users import create_user, create_workspace
from latchlike.app import create_app
from latchlike.config import Settings
from latchlike.platform import Platform
from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.web.auth import CSRF_HEADER, SESSION_COOKIE
from tests.accounts.fixtures import PASSWORD, add_person, api_token
from tests.server import LOCAL_BASE_URL

SECRET = "/api/workspaces/lab-a/secrets/lab-api/token"
VALUE = "tok-91c4e0b7a2"


@pytest.fixture
def app_client(data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=data_dir, grpc_port=0, run_engine=False, register_builtin_workflows=False,
                        auth="accounts", max_upload_bytes=5000)  # fmt: skip
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def tokens(app_client: TestClient) -> dict[str, dict[str, str]]:
    """Authorization headers: each role of lab-a, lab-b's admin, and a site admin."""
    platform: Platform = app_client.app.state.platform  # type: ignore[attr-defined]
    headers: dict[str, dict[str, str]] = {}
    with platform.db.session() as session:
        for workspace in ("lab-a", "lab-b"):
            create_workspace(session, workspace_id=workspace)
        people = [(f"{role}", "lab-a", role) for role in Role] + [("foreign-admin", "lab-b", Role.ADMIN)]
        for name, workspace, role in people:
            user_id = add_person(session, f"{name}@lab.example", {workspace: role})
            headers[name] = {"Authorization": f"Bearer {api_token(session, user_id, workspace, role)}"}
        # A site admin acts as one only when signed in (a token carries a workspace role).
        site = create_user(session, email="root@lab.example", password=PASSWORD, site_admin=True)
        cookie = start_session(session, site.id)
        session.flush()
        csrf = principal_of_session(session, cookie)
        assert csrf is not None and csrf.csrf_token is not None
        headers["site-admin"] = {"Cookie": f"{SESSION_COOKIE}={cookie}", CSRF_HEADER: csrf.csrf_token}
    return headers


def test_an_admin_sets_lists_and_deletes_secrets_and_never_reads_a_value(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    admin = tokens["admin"]
    created = app_client.put(SECRET, json={"value": VALUE}, headers=admin)
    assert created.status_code == 200, created.text
    assert created.json()["updated_by"] == "admin@lab.example" and VALUE not in created.text
    listed = app_client.get("/api/workspaces/lab-a/secrets", headers=admin)
    assert [(s["group"], s["key"]) for s in listed.json()] == [("lab-api", "token")] and VALUE not in listed.text
    bad = app_client.put("/api/workspaces/lab-a/secrets/lab-api/a.b", json={"value": "x"}, headers=admin)
    assert bad.status_code == 400 and "secret key 'a.b'" in bad.json()["message"]
    assert app_client.delete(SECRET, headers=admin).status_code == 204
    assert app_client.get("/api/workspaces/lab-a/secrets", headers=admin).json() == []
    assert app_client.delete(SECRET, headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("member", 403), ("viewer", 403), ("foreign-admin", 404), ("anonymous", 401)]
)
def test_nobody_but_the_workspaces_admins_touches_its_secrets(
    app_client: TestClient, tokens: dict[str, dict[str, str]], who: str, status: int
) -> None:
    assert app_client.put(SECRET, json={"value": VALUE}, headers=tokens["admin"]).status_code == 200
    headers = tokens.get(who, {})
    assert app_client.get("/api/workspaces/lab-a/secrets", headers=headers).status_code == status
    assert app_client.put(SECRET, json={"value": "mine now"}, headers=headers).status_code == status
    assert app_client.delete(SECRET, headers=headers).status_code == status
    listed = app_client.get("/api/workspaces/lab-a/secrets", headers=tokens["admin"]).json()
    assert [s["updated_by"] for s in listed] == ["admin@lab.example"]  # a refused call changed nothing


def test_only_a_site_admin_sets_a_workspaces_upload_limit(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    limits = "/api/workspaces/lab-a/limits"
    assert app_client.get(limits, headers=tokens["viewer"]).json() == {
        "max_upload_bytes": None,
        "effective_bytes": 5000,
    }
    for who, status in (("admin", 403), ("foreign-admin", 403), ("anonymous", 401)):
        assert app_client.put(limits, json={"max_upload_bytes": 10}, headers=tokens.get(who, {})).status_code == status
    set_ = app_client.put(limits, json={"max_upload_bytes": 10}, headers=tokens["site-admin"])
    assert set_.status_code == 200 and set_.json() == {"max_upload_bytes": 10, "effective_bytes": 10}
    assert app_client.get(limits, headers=tokens["viewer"]).json()["effective_bytes"] == 10
    assert app_client.put(limits, json={"max_upload_bytes": 0}, headers=tokens["site-admin"]).status_code == 400
    nowhere = app_client.put(
        "/api/workspaces/nowhere/limits", json={"max_upload_bytes": 1}, headers=tokens["site-admin"]
    )
    assert nowhere.status_code == 404
    reset = app_client.put(limits, json={"max_upload_bytes": None}, headers=tokens["site-admin"])
    assert reset.json() == {"max_upload_bytes": None, "effective_bytes": 5000}


def test_without_accounts_the_local_admin_keeps_the_default_workspaces_secrets(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, grpc_port=0, run_engine=False, register_builtin_workflows=False)
    with TestClient(create_app(settings), base_url=LOCAL_BASE_URL) as client:
        assert client.put("/api/workspaces/default/secrets/lab-api/token", json={"value": VALUE}).status_code == 200
        listed = client.get("/api/workspaces/default/secrets").json()
        assert [(s["group"], s["key"], s["updated_by"]) for s in listed] == [("lab-api", "token", LOCAL_PRINCIPAL)]
