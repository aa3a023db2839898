"""The CLI's API tokens against a real server with accounts: `latchlike ls/cp/mv/rm` send
`Authorization: Bearer` from `--token`, `LATCHLIKE_TOKEN` or a token file; with none, the
refusal says how to give one; a wrong, expired or revoked token is refused in one line that
says why, and changes nothing. `latchlike config flytekit --token` keeps the secret in a file
only its owner reads (never printed)."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from latchlike.cli import main
from tests.accounts.fixtures import PROJECT_A, People, accounts_server
from tests.server import RunningServer

TOKEN = "llt_0123456789abcdef.s3cret-Value_xyz"
KEPT = "kept.txt"
"""A file of `PROJECT_A` that the refused `mv` and `rm` name."""
REMOTE = f"latchlike://{PROJECT_A}"
REQUEST = re.compile(r'"(\w+ \S+) HTTP/[\d.]+" (\d{3})')


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[tuple[RunningServer, People]]:
    data_dir = tmp_path_factory.mktemp("cli-tokens") / "data"
    with accounts_server(data_dir, env={"LATCHLIKE_RUN_ENGINE": "false"}) as (server, people):
        bearer = {"Authorization": f"Bearer {people.tokens['member']}"}
        put = httpx.put(f"{server.url}/api/files/{PROJECT_A}/{KEPT}", content=b"ACGT\n", headers=bearer, timeout=30)
        assert put.status_code == 201, put.text
        yield server, people


@pytest.fixture(autouse=True)
def own_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No token from the developer's environment or home; a config and cache of the test's own."""
    for name in ("LATCHLIKE_TOKEN", "LATCHLIKE_TOKEN_FILE", "LATCHLIKE_SERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _exit_message(args: list[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main(args)
    return str(exited.value.code)


def _requests(server: RunningServer, since: int) -> list[str]:
    """`METHOD path status` of each request in the server's access log after line `since`."""
    lines = server.log().splitlines()[since:]
    return [" ".join(found.groups()) for line in lines if (found := REQUEST.search(line))]


def _log_mark(server: RunningServer) -> int:
    return len(server.log().splitlines())


def _project(server: RunningServer, people: People) -> tuple[list[tuple[str, int]], list[str]]:
    """What a refused command must leave alone: the project's listing and the files in the store."""
    bearer = {"Authorization": f"Bearer {people.tokens['admin']}"}
    listed = httpx.get(f"{server.url}/api/files/{PROJECT_A}/", headers=bearer, timeout=30)
    assert listed.status_code == 200, listed.text
    store = server.data_dir / "store"
    stored = sorted(str(path.relative_to(store)) for path in store.rglob("*") if path.is_file())
    return [(entry["name"], entry["size"]) for entry in listed.json()["entries"]], stored


@pytest.mark.slow
def test_without_a_token_a_401_says_how_to_give_one(accounts: tuple[RunningServer, People]) -> None:
    server, _ = accounts
    mark = _log_mark(server)
    message = _exit_message(["ls", f"{REMOTE}/", "--server", server.url])
    assert "present an API token" in message and "--token" in message and "LATCHLIKE_TOKEN" in message
    assert _requests(server, mark) == [f"GET /api/files/{PROJECT_A}/?after= 401"]


@pytest.mark.slow
def test_the_token_comes_from_the_flag_the_environment_or_a_file(
    accounts: tuple[RunningServer, People],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, people = accounts
    token = people.tokens["viewer"]
    mark = _log_mark(server)
    main(["ls", f"{REMOTE}/", "--server", server.url, "--token", token])
    monkeypatch.setenv("LATCHLIKE_TOKEN", token)
    main(["ls", f"{REMOTE}/", "--server", server.url])
    monkeypatch.delenv("LATCHLIKE_TOKEN")
    named_file = tmp_path / "my-token"
    named_file.write_text(token + "\n")
    main(["ls", f"{REMOTE}/", "--server", server.url, "--token-file", str(named_file)])
    default_file = tmp_path / "config" / "latchlike" / "token"
    default_file.parent.mkdir(parents=True)
    default_file.write_text(token + "\n")
    main(["ls", f"{REMOTE}/", "--server", server.url])
    listings = capsys.readouterr().out.splitlines()
    assert len(listings) == 4 and all(line.endswith(f"  {KEPT}") for line in listings), listings
    assert _requests(server, mark) == [f"GET /api/files/{PROJECT_A}/?after= 200"] * 4


@pytest.mark.slow
def test_copy_move_and_remove_send_the_token(accounts: tuple[RunningServer, People], tmp_path: Path) -> None:
    server, people = accounts
    token = people.tokens["member"]
    source = tmp_path / "reads.txt"
    source.write_text("ACGT\n" * 100)
    mark = _log_mark(server)
    main(["cp", str(source), f"{REMOTE}/reads.txt", "--server", server.url, "--token", token])
    uploads = [request for request in _requests(server, mark) if request.startswith(f"POST /api/tus/{PROJECT_A}")]
    assert uploads == [f"POST /api/tus/{PROJECT_A} 201"], _requests(server, mark)
    bearer = {"Authorization": f"Bearer {token}"}
    arrived = httpx.get(f"{server.url}/api/files/{PROJECT_A}/reads.txt", params={"download": 1}, headers=bearer,
                        timeout=30)  # fmt: skip
    assert arrived.content == source.read_bytes()

    main(["mv", f"{REMOTE}/reads.txt", f"{REMOTE}/moved.txt", "--server", server.url, "--token", token])
    main(["rm", f"{REMOTE}/moved.txt", "--server", server.url, "--token", token])
    names = [
        entry["name"] for entry in httpx.get(f"{server.url}/api/files/{PROJECT_A}/", headers=bearer).json()["entries"]
    ]
    assert "reads.txt" not in names and "moved.txt" not in names and KEPT in names


@pytest.mark.slow
@pytest.mark.parametrize(
    ("who", "why"), [("wrong", "is not valid"), ("expired", "expired at"), ("revoked", "was revoked")]
)
def test_a_bad_token_is_refused_in_one_line_that_says_why_and_changes_nothing(
    accounts: tuple[RunningServer, People],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    who: str,
    why: str,
) -> None:
    server, people = accounts
    token = people.tokens["member"] + "x" if who == "wrong" else people.tokens[who]
    source = tmp_path / "new.txt"
    source.write_text("ACGT\n")
    before = _project(server, people)
    for command in (["ls", f"{REMOTE}/"], ["cp", str(source), f"{REMOTE}/new.txt"],
                    ["mv", f"{REMOTE}/{KEPT}", f"{REMOTE}/moved.txt"], ["rm", f"{REMOTE}/{KEPT}"]):  # fmt: skip
        mark = _log_mark(server)
        message = _exit_message([*command, "--server", server.url, "--token", token])
        assert message.startswith("latchlike: ") and why in message and "\n" not in message, (command, message)
        assert "token create" not in message, message  # no such command
        assert [request.rsplit(" ", 1)[1] for request in _requests(server, mark)] == ["401"], command
        assert capsys.readouterr() == ("", "")
    assert _project(server, people) == before


def test_config_flytekit_keeps_the_secret_in_a_private_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
