"""Invitations: only a workspace's admin invites; the link works once, for seven days; a new
invitee sets a password, an existing account must be signed in as the invited email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from latchlike.accounts.invitations import LIFETIME, accept_invitation, invite, open_invitation
from latchlike.accounts.principal import ANONYMOUS, Principal
from latchlike.accounts.roles import Role
from latchlike.accounts.sessions import user_principal
from latchlike.accounts.tables import InvitationRow, UserRow
from latchlike.accounts.users import create_user, create_workspace, set_membership
from latchlike.db import utcnow
from latchlike.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from latchlike.platform import Platform

PASSWORD = "correct horse battery"


def _lab(platform: Platform) -> dict[str, int]:
    with platform.db.session() as session:
        create_workspace(session, workspace_id="lab")
        create_workspace(session, workspace_id="other")
        ids = {}
        for role in Role:
            user = create_user(session, email=f"{role}@lab.example", password=PASSWORD)
            set_membership(session, workspace="lab", user_id=user.id, role=role)
            ids[role.value] = user.id
        ids["site"] = create_user(session, email="root@example.org", password=PASSWORD, site_admin=True).id
        return ids


def _principal(platform: Platform, user_id: int) -> Principal:
    with platform.db.session() as session:
        user = session.get(UserRow, user_id)
        assert user is not None
        return user_principal(session, user, via="session", csrf_token="t")


def test_a_new_person_sets_a_password_and_joins_once(platform: Platform) -> None:
    ids = _lab(platform)
    admin = _principal(platform, ids["admin"])
    with platform.db.session() as session:
        issued = invite(session, admin, workspace="lab", email=" New@Example.org ", role=Role.VIEWER)
    assert issued.invitation.email == "new@example.org" and not issued.invitation.has_account
    assert issued.invitation.expires_at - utcnow() > LIFETIME - timedelta(minutes=1)
    with platform.db.session() as session:
        assert open_invitation(session, issued.token).role == Role.VIEWER
        with pytest.raises(InvalidArgument, match="at least 10"):
            accept_invitation(session, issued.token, principal=ANONYMOUS, password="short")
    with platform.db.session() as session:
        user_id = accept_invitation(session, issued.token, principal=ANONYMOUS, password=PASSWORD)
    joined = _principal(platform, user_id)
    assert joined.name == "new@example.org" and joined.roles == {"lab": Role.VIEWER}
    with platform.db.session() as session, pytest.raises(NotFound, match="used already, it expired"):
        accept_invitation(session, issued.token, principal=ANONYMOUS, password=PASSWORD)


def test_an_existing_account_must_be_signed_in_as_the_invited_email(platform: Platform) -> None:
    ids = _lab(platform)
    site_admin = _principal(platform, ids["site"])
    with platform.db.session() as session:
        issued = invite(session, site_admin, workspace="other", email="viewer@lab.example", role=Role.MEMBER)
    assert issued.invitation.has_account
    someone_else = _principal(platform, ids["member"])
    with platform.db.session() as session:
        with pytest.raises(Unauthenticated, match=r"sign in as viewer@lab\.example"):
            accept_invitation(session, issued.token, principal=ANONYMOUS, password="a new password!")
        with pytest.raises(Unauthenticated):
            accept_invitation(session, issued.token, principal=someone_else, password=None)
    with platform.db.session() as session:
        accept_invitation(session, issued.token, principal=_principal(platform, ids["viewer"]), password=None)
    assert _principal(platform, ids["viewer"]).roles == {"lab": Role.VIEWER, "other": Role.MEMBER}


def test_only_admins_invite_and_a_higher_role_held_is_kept(platform: Platform) -> None:
    ids = _lab(platform)
    for role in (Role.VIEWER, Role.MEMBER):
        with platform.db.session() as session, pytest.raises(PermissionDenied, match="needs the admin role"):
            invite(session, _principal(platform, ids[role]), workspace="lab", email="x@example.org", role=Role.VIEWER)
    admin = _principal(platform, ids["admin"])
    with platform.db.session() as session, pytest.raises(NotFound):
        invite(session, admin, workspace="other", email="x@example.org", role=Role.VIEWER)  # not admin there
    with platform.db.session() as session:
        issued = invite(session, admin, workspace="lab", email="member@lab.example", role=Role.VIEWER)
    member = _principal(platform, ids["member"])
    with platform.db.session() as session:
        accept_invitation(session, issued.token, principal=member, password=None)
    assert _principal(platform, ids["member"]).roles == {"lab": Role.MEMBER}


def test_an_expired_or_unknown_link_offers_nothing(platform: Platform) -> None:
    ids = _lab(platform)
    with platform.db.session() as session:
        issued = invite(session, _principal(platform, ids["admin"]), workspace="lab", email="late@example.org",
                        role=Role.MEMBER)  # fmt: skip
    with platform.db.session() as session:
        session.execute(update(InvitationRow).values(expires_at=utcnow()))
    with platform.db.session() as session:
        for token in (issued.token, "made-up", ""):
            with pytest.raises(NotFound):
                open_invitation(session, token)
