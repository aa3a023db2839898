"""Accounts' core rules on a real database: who a token or a login proves, and what each
role may do in its own workspace and in a foreign one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from latchlike.accounts.access import authorize_project, home_workspace, visible_projects
from latchlike.accounts.identify import bearer_token, identify
from latchlike.accounts.passwords import hash_password, verify_password
from latchlike.accounts.principal import ANONYMOUS, LOCAL
from latchlike.accounts.roles import Role
from latchlike.accounts.sessions import end_session, forget_expired, start_session
from latchlike.accounts.tables import DEFAULT_WORKSPACE, ApiTokenRow
from latchlike.accounts.tokens import issue_token, list_tokens, revoke_token
from latchlike.accounts.users import create_user, create_workspace, set_membership
from latchlike.db import utcnow
from latchlike.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from latchlike.platform import Platform
from latchlike.specs.projects import ensure_project


def _setup(session: Session) -> dict[str, int]:
    create_workspace(session, workspace_id="lab-a")
    create_workspace(session, workspace_id="lab-b")
    ensure_project(session, project_id="pa", workspace="lab-a")
    ensure_project(session, project_id="pb", workspace="lab-b")
    users = {}
    for role in Role:
        user = create_user(session, email=f"{role}@a.example", password="correct horse battery")
        set_membership(session, workspace="lab-a", user_id=user.id, role=role)
        users[role.value] = user.id
    return users


def test_each_role_in_its_workspace_and_a_foreign_one(platform: Platform) -> None:
    with platform.db.session() as session:
        users = _setup(session)
    with platform.db.session() as session:
        for role in Role:
            token = issue_token(session, user_id=users[role], workspace="lab-a", role=role, name="t",
                                lifetime=timedelta(days=1))  # fmt: skip
            principal = identify(session, token=token.token, cookie=None)
            assert principal.name == f"{role}@a.example" and principal.roles == {"lab-a": role}
            for needed in Role:
                if role.allows(needed):
                    assert authorize_project(session, principal, "pa", needed) == "lab-a"
                else:
                    with pytest.raises(PermissionDenied, match=f"needs the {needed} role"):
                        authorize_project(session, principal, "pa", needed)
                with pytest.raises(NotFound, match="'pb' does not exist"):
                    authorize_project(session, principal, "pb", needed)
            assert visible_projects(session, principal) == {"pa"}
        with pytest.raises(Unauthenticated):
            authorize_project(session, ANONYMOUS, "pa", Role.VIEWER)
        assert authorize_project(session, LOCAL, "pb", Role.ADMIN) == "lab-b"
        assert all(token.last_used_at is not None for token in list_tokens(session, users["admin"]))
        assert visible_projects(session, LOCAL) is None


def test_a_token_is_refused_once_expired_revoked_or_its_owner_removed(platform: Platform) -> None:
    with platform.db.session() as session:
        users = _setup(session)
        issued = [issue_token(session, user_id=users["member"], workspace="lab-a", role=Role.MEMBER, name=str(i),
                              lifetime=timedelta(hours=1)) for i in range(3)]  # fmt: skip
    with platform.db.session() as session:
        session.execute(update(ApiTokenRow).where(ApiTokenRow.id == issued[0].info.id).values(expires_at=utcnow()))
        member = identify(session, token=issued[2].token, cookie=None)
        revoke_token(session, member, issued[1].info.id)
    with platform.db.session() as session:
        with pytest.raises(Unauthenticated, match="expired"):
            identify(session, token=issued[0].token, cookie=None)
        with pytest.raises(Unauthenticated, match="revoked"):
            identify(session, token=issued[1].token, cookie=None)
        with pytest.raises(Unauthenticated, match="not valid"):
            identify(session, token=issued[2].token[:-2] + "xx", cookie=None)
        with pytest.raises(Unauthenticated, match="start with `llt_`"):
            identify(session, token="Zm9vOmJhcg==", cookie=None)
        set_membership(session, workspace="lab-a", user_id=users["member"], role=None)
    with platform.db.session() as session, pytest.raises(Unauthenticated, match="no longer a member"):
        identify(session, token=issued[2].token, cookie=None)


def test_a_token_never_exceeds_its_owner(platform: Platform) -> None:
    with platform.db.session() as session:
        users = _setup(session)
        with pytest.raises(PermissionDenied, match="more than your own role"):
            issue_token(session, user_id=users["viewer"], workspace="lab-a", role=Role.MEMBER, name="",
                        lifetime=timedelta(days=1))  # fmt: skip
        with pytest.raises(NotFound):
            issue_token(session, user_id=users["admin"], workspace="lab-b", role=Role.VIEWER, name="",
                        lifetime=timedelta(days=1))  # fmt: skip
        admin = issue_token(session, user_id=users["admin"], workspace="lab-a", role=Role.VIEWER, name="",
                            lifetime=timedelta(days=1))  # fmt: skip
        set_membership(session, workspace="lab-a", user_id=users["admin"], role=Role.VIEWER)
        assert identify(session, token=admin.token, cookie=None).roles == {"lab-a": Role.VIEWER}


def test_login_sessions_and_passwords(platform: Platform) -> None:
    with platform.db.session() as session:
        users = _setup(session)
        cookie = start_session(session, users["admin"])
    with platform.db.session() as session:
        principal = identify(session, token=None, cookie=cookie)
        assert principal.via == "session" and principal.roles == {"lab-a": Role.ADMIN} and principal.csrf_token
        assert home_workspace(principal) == "lab-a"
        end_session(session, cookie)
    with platform.db.session() as session:
        assert identify(session, token=None, cookie=cookie) is ANONYMOUS
        assert identify(session, token=None, cookie="forged") is ANONYMOUS
        stale = start_session(session, users["admin"], lifetime=timedelta(seconds=-1))
        assert identify(session, token=None, cookie=stale) is ANONYMOUS
        assert forget_expired(session) == 1
    stored = hash_password("correct horse battery")
    assert verify_password("correct horse battery", stored)[0]
    assert not verify_password("wrong horse battery", stored)[0]
    assert not verify_password("anything at all", None)[0]
    with pytest.raises(InvalidArgument, match="at least 10"), platform.db.session() as session:
        create_user(session, email="short@a.example", password="short")


def test_bearer_header_forms() -> None:
    assert bearer_token(None) is None
    assert bearer_token("Bearer llt_x.y") == "llt_x.y"
    with pytest.raises(Unauthenticated, match="Bearer"):
        bearer_token("Basic Zm9vOmJhcg==")


def test_projects_created_before_accounts_belong_to_the_default_workspace(platform: Platform) -> None:
    with platform.db.session() as session:
        ensure_project(session, project_id="older")
        assert authorize_project(session, LOCAL, "older", Role.ADMIN) == DEFAULT_WORKSPACE
