"""A workflow input named `csrf_token` launches from its form on a real accounts-mode server:
the form's hidden CSRF field has a name no flytekit input can take (a hyphen in it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from latchlike.accounts.roles import Role
from latchlike.web.auth import CSRF_FIELD
from tests.accounts.fixtures import (
    PROJECT_A,
    email_of,
    opened,
    populate,
    register_sample,
    signed_in,
    start_accounts_server,
)
from tests.samples import FIXTURES, serialize_sample

pytestmark = pytest.mark.slow
WORKFLOW = "csrf_clash.clash.clash"


def test_an_input_named_csrf_token_launches_from_its_form(tmp_path: Path, database: str) -> None:
    server = start_accounts_server(tmp_path / "data", env={"LATCHLIKE_RUN_ENGINE": "false"})
    try:
        with opened(server.database_url) as db:
            populate(db)
        sample = serialize_sample(tmp_path / "pb", project=PROJECT_A, project_dir=FIXTURES / "accounts_project",
                                  package="csrf_clash")  # fmt: skip
        register_sample(server.database_url, sample)
        client, csrf = signed_in(server.url, email_of(Role.MEMBER))
        launch = f"/workflows/{PROJECT_A}/development/{WORKFLOW}/launch"
        page = client.get(launch)
        assert page.status_code == 200, page.text
        names = re.findall(r'name="([^"]+)"', page.text)
        assert names.count("csrf_token") == 1 and CSRF_FIELD in names, names  # the input alone; the token's own
        launched = client.post(launch, data={"csrf_token": "typed by the user", CSRF_FIELD: csrf})
        assert launched.status_code == 303, launched.text
        name = launched.headers["location"].rsplit("/", 1)[1]
        execution = client.get(f"/api/executions/{PROJECT_A}/development/{name}").json()
        assert "typed by the user" in str(execution["inputs"]) and csrf not in str(execution), execution
    finally:
        server.stop()
    assert not CSRF_FIELD.isidentifier()  # so no workflow input can ever take it
