"""The `latchlike` command: `serve` runs the platform, `config flytekit` prints a client config."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import uvicorn

from latchlike.app import create_app
from latchlike.config import Settings


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
    config.add_argument("--host")

    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {
        key: value for key, value in vars(args).items() if key in Settings.model_fields and value is not None
    }
    settings = Settings(**overrides)
    if args.command == "serve":
        _serve(settings)
    else:
        print(flytekit_config(settings), end="")


def flytekit_config(settings: Settings) -> str:
    """A config file for pyflyte / FlyteRemote pointing at this server."""
    host = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
    return f"admin:\n  endpoint: {host}:{settings.grpc_port}\n  insecure: true\n"


def _serve(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"latchlike: web on {settings.resolved_public_url}  ·  pyflyte endpoint {settings.host}:{settings.grpc_port}")
    # grpc.aio shares this event loop; the plain asyncio loop is the one it is tested with.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.http_port,
        loop="asyncio",
        log_level=settings.log_level,
    )


if __name__ == "__main__":
    main()
