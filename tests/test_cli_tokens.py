"""The CLI's API tokens: `latchlike config flytekit --token` keeps the secret in a file only its
owner reads (never printed), and `latchlike ls/cp` send `Authorization: Bearer` from
`--token`, `LATCHLIKE_TOKEN` or a token file, and explain a 401. The server here is a small
real HTTP server that wants one token, standing in for a server with accounts."""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from latchlike.cli import main

TOKEN = "llt_0123456789abcdef.s3cret-Value_xyz"


class _WantsToken(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def _answer(self) -> None:
        self.seen.append((f"{self.command} {self.path}", self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}" or self.path.startswith("/api/tus/"):
            body, status = {"error": "Unauthenticated", "message": "present an API token"}, 401
        else:
            body, status = {"path": "", "is_folder": True, "entries": [], "next_after": ""}, 200
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    for name in ("LATCHLIKE_TOKEN", "LATCHLIKE_TOKEN_FILE", "LATCHLIKE_SERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _WantsToken.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _WantsToken)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _exit_message(args: list[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main(args)
    return str(exited.value.code)


def test_without_a_token_a_401_says_how_to_give_one(server: str) -> None:
    message = _exit_message(["ls", "latchlike://pa/", "--server", server])
    assert "present an API token" in message and "--token" in message and "LATCHLIKE_TOKEN" in message
    assert _WantsToken.seen == [("GET /api/files/pa/?after=", None)]


def test_the_token_comes_from_the_flag_the_environment_or_a_file(
    server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["ls", "latchlike://pa/", "--server", server, "--token", TOKEN])
    monkeypatch.setenv("LATCHLIKE_TOKEN", TOKEN)
    main(["ls", "latchlike://pa/", "--server", server])
    monkeypatch.delenv("LATCHLIKE_TOKEN")
    default_file = tmp_path / "config" / "latchlike" / "token"
    default_file.parent.mkdir(parents=True)
    default_file.write_text(TOKEN + "\n")
    main(["ls", "latchlike://pa/", "--server", server])
    assert [header for _, header in _WantsToken.seen] == [f"Bearer {TOKEN}"] * 3


def test_uploads_send_the_token_too(server: str, tmp_path: Path) -> None:
    source = tmp_path / "reads.txt"
    source.write_text("ACGT\n")
    message = _exit_message(["cp", str(source), "latchlike://pa/reads.txt", "--server", server, "--token", TOKEN])
    assert "present an API token" in message
    uploads = [header for request, header in _WantsToken.seen if request.startswith("POST /api/tus/pa")]
    assert uploads == [f"Bearer {TOKEN}"]


def test_config_flytekit_keeps_the_secret_in_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    main(["config", "flytekit", "--token", TOKEN, "--grpc-port", "8089", "--host", "127.0.0.1"])
    printed = capsys.readouterr()
    secret = TOKEN.split(".", 1)[1]
    assert secret not in printed.out + printed.err
    admin = yaml.safe_load(printed.out)["admin"]
    assert admin["authType"] == "ClientSecret" and admin["clientId"] == "0123456789abcdef"
    secret_file = Path(admin["clientSecretLocation"])
    assert secret_file == tmp_path / "config" / "latchlike" / "flytekit-0123456789abcdef.secret"
    assert secret_file.read_text() == secret
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret_file.parent.stat().st_mode) == 0o700

    assert "not an API token" in _exit_message(["config", "flytekit", "--token", "hunter2"])
