"""The `latchlike` command: `serve` runs the platform, `config flytekit` prints a client config,
`files add` puts a local file into a project's managed files (where forms pick inputs);
`cp`, `ls`, `mv`, `rm` work on them from any machine over HTTP (`cli_files`)."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from latchlike import cli_accounts, cli_files
from latchlike.accounts.tokens import split_token
from latchlike.client_token import config_dir, write_private
from latchlike.config import Settings
from latchlike.db import Database, migrate
from latchlike.errors import LatchlikeError
from latchlike.files.managed import add_file
from latchlike.files.service import list_files
from latchlike.ports import taken_port_refusal

SWITCH_INTERVAL_SECONDS = 0.0005


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="latchlike", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP and gRPC servers")
    serve.add_argument("--host", help="address to listen on (LATCHLIKE_HOST)")
    serve.add_argument("--http-port", type=int, help="web pages and JSON API (LATCHLIKE_HTTP_PORT, default 8080)")
    serve.add_argument("--grpc-port", type=int, help="FlyteAdmin API for pyflyte (LATCHLIKE_GRPC_PORT, default 8089)")
    serve.add_argument("--data-dir", type=Path, help="database and files (LATCHLIKE_DATA_DIR, default ./.latchlike)")

    config = commands.add_parser("config", help="print client configuration")
    config.add_argument("tool", choices=["flytekit"], help="which client")
    config.add_argument("--grpc-port", type=int)
    config.add_argument("--http-port", type=int, help="where the console links it prints point")
    config.add_argument("--host")
    config.add_argument("--token", default=os.environ.get("LATCHLIKE_TOKEN"),
                        help="an API token (llt_…; LATCHLIKE_TOKEN) for a server with accounts: its secret goes to "
                        "a file only you can read, which the config names")  # fmt: skip
    config.add_argument("--secret-file", type=Path, help="where to keep the token's secret "
                        "(default ~/.config/latchlike/flytekit-<token id>.secret)")  # fmt: skip
    config.add_argument("--output", type=Path, help="write the config to this file instead of printing it")

    files = commands.add_parser("files", help="a project's managed files")
    files_commands = files.add_subparsers(dest="files_command", required=True)
    add = files_commands.add_parser("add", help="copy a local file into the store; prints its URI")
    add.add_argument("source", type=Path)
    add.add_argument("--path", help="where below the project's folder (default: the file's name)")
    add.add_argument("--project", help="default: LATCHLIKE_DEFAULT_PROJECT")
    add.add_argument("--data-dir", type=Path)
    listing = files_commands.add_parser("list", help="list a project's managed files")
    listing.add_argument("--project")
    listing.add_argument("--data-dir", type=Path)

    cli_files.add_commands(commands)
    cli_accounts.add_commands(commands)

    args = parser.parse_args(argv)
    if hasattr(args, "over_http"):  # a client of a server, maybe on another machine: no Settings
        cli_files.run(args)
        return
    overrides: dict[str, Any] = {
        key: value for key, value in vars(args).items() if key in Settings.model_fields and value is not None
    }
    settings = Settings(**overrides)
    if args.command == "serve":
        _serve(settings)
    elif args.command == "files":
        _files(settings, args)
    elif args.command in ("users", "workspaces"):
        cli_accounts.run(settings, args)
    else:
        _config(settings, args)


def flytekit_config(settings: Settings, client: FlytekitClient | None = None) -> str:
    """A config file for pyflyte / FlyteRemote pointing at this server: the FlyteAdmin API on
    the gRPC port, and the console links they print at the web pages (`/console/...`
    redirects), which flytekit would otherwise point at the gRPC port. With `client`, flytekit
    authenticates as that API token (OAuth2 client credentials; the secret stays in its file)."""
    host = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
    web = settings.public_url.rstrip("/") or f"http://{host}:{settings.http_port}"
    auth = ""
    if client is not None:
        auth = f"  authType: ClientSecret\n  clientId: {client.id}\n  clientSecretLocation: {client.secret_file}\n"
    return f"admin:\n  endpoint: {host}:{settings.grpc_port}\n  insecure: true\n{auth}console:\n  endpoint: {web}\n"


@dataclass(frozen=True)
class FlytekitClient:
    id: str
    secret_file: Path


def _config(settings: Settings, args: argparse.Namespace) -> None:
    client = None
    if args.token:
        parts = split_token(args.token.strip())
        if parts is None:
            raise SystemExit("latchlike: --token is not an API token: they look like llt_<id>.<secret>")
        token_id, secret = parts
        secret_file = args.secret_file or config_dir() / f"flytekit-{token_id}.secret"
        client = FlytekitClient(token_id, write_private(secret_file.expanduser().resolve(), secret))
    text = flytekit_config(settings, client)
    if args.output is None:
        print(text, end="")
        return
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"latchlike: wrote {args.output}; use it with pyflyte --config {args.output}", file=sys.stderr)


def _files(settings: Settings, args: argparse.Namespace) -> None:
    store_dir = settings.data_dir / "store"
    if not settings.store_url and not store_dir.is_dir():
        # Opening the store would start an empty one here, which no server reads.
        raise SystemExit(
            f"latchlike: no store at {store_dir}: run this in the folder where `latchlike serve` runs "
            "(./scripts/serve runs in the repository's), or pass the server's --data-dir (LATCHLIKE_DATA_DIR)"
        )
    store = settings.open_store()
    db = Database(settings.resolved_database_url)
    migrate(db.engine)
    project = args.project or settings.default_project
    # Stopped mid-copy (Ctrl-C, kill), the command removes its partial copy on the way out.
    signal.signal(signal.SIGTERM, lambda signum, _: sys.exit(128 + signum))
    try:
        if args.files_command == "add":
            staging = settings.data_dir / "staging"
            print(add_file(db, store, project, args.source, args.path or args.source.name, staging_dir=staging,
                           max_bytes=settings.max_upload_bytes))  # fmt: skip
        else:
            with db.session() as session:
                for row in list_files(session, project):
                    print(f"{row.size:>12}  {row.path}")
    except LatchlikeError as error:
        raise SystemExit(f"latchlike: {error.message}") from None
    finally:
        db.dispose()


def _serve(settings: Settings) -> None:
    if refusal := cli_accounts.local_mode_refusal(settings):
        raise SystemExit(refusal)
    ports = {
        "--http-port (LATCHLIKE_HTTP_PORT)": settings.http_port,
        "--grpc-port (LATCHLIKE_GRPC_PORT)": settings.grpc_port,
    }
    if refusal := taken_port_refusal(settings.host, ports):
        raise SystemExit(refusal)
    # Imported here: the whole platform takes seconds to import, which `files` and `config` need not wait for.
    import uvicorn

    from latchlike.app import create_app
    from latchlike.web.access_log import RedactSecretPaths

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if hint := cli_accounts.first_admin_hint(settings):
        print(hint, flush=True)
    endpoint = f"{settings.host}:{settings.grpc_port}"
    print(f"latchlike: web on {settings.resolved_public_url}  ·  pyflyte endpoint {endpoint}", flush=True)
    # grpc.aio shares this event loop; the plain asyncio loop is the one it is tested with.
    app = create_app(settings)
    logging.getLogger("uvicorn.access").addFilter(RedactSecretPaths())  # kept when uvicorn configures logging
    # Latency under load: a thread that waited for I/O gets the GIL back within 0.5 ms, not
    # 5 ms (the event loop answering requests and the database threads take turns all the
    # time); and what was imported is never garbage collected again.
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.http_port,
        loop="asyncio",
        log_level=settings.log_level,
    )


if __name__ == "__main__":
    main()
