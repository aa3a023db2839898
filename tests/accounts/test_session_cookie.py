"""The login cookie's attributes: Secure exactly when the server is reached over https."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.responses import Response

from latchlike.config import Settings
from latchlike.web.account_pages import set_session_cookie


@pytest.mark.parametrize(("public_url", "secure"), [("https://lab.example.org", True), ("", False),
                                                     ("http://10.0.0.5:8080", False)])  # fmt: skip
def test_the_cookie_is_secure_behind_https_and_always_httponly_lax(
    tmp_path: Path, public_url: str, secure: bool, database: str
) -> None:
    response = Response()
    set_session_cookie(response, "value", Settings(data_dir=tmp_path, public_url=public_url))
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("latchlike_session=value;")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Max-Age=604800" in cookie
    assert ("Secure" in cookie) is secure
