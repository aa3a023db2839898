"""Server-side commands on the data dir: `latchlike users add`, `latchlike workspaces add`,
and the check `serve` makes before it listens.

They open the server's own database (LATCHLIKE_DATA_DIR / LATCHLIKE_DATABASE_URL), so they
run where the server runs: this is how the first site administrator comes to exist."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import sys
from pathlib import Path

from sqlalchemy import func, select

from latchlike.accounts.roles import Role
from latchlike.accounts.tables import UserRow
from latchlike.accounts.users import create_user, create_workspace, set_membership
from latchlike.config import Settings
from latchlike.db import Database, migrate
from latchlike.errors import LatchlikeError

__all__ = ["add_commands", "first_admin_hint", "is_loopback", "local_mode_refusal", "run"]

FIRST_ADMIN = "latchlike users add you@example.org --admin"


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = commands.add_parser("users", help="accounts (on the server's data dir)")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    add = user_commands.add_parser("add", help="create an account; the password is asked for (or read from stdin)")
    add.add_argument("email")
    add.add_argument("--admin", action="store_true", help="a site administrator: manages accounts and workspaces")
    add.add_argument("--workspace", help="make the account a member of this workspace")
    add.add_argument("--role", help="its role there: viewer, member or admin (default member)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--data-dir", type=Path)
    workspaces = commands.add_parser("workspaces", help="workspaces (on the server's data dir)")
    workspace_commands = workspaces.add_subparsers(dest="workspaces_command", required=True)
    new = workspace_commands.add_parser("add", help="create a workspace")
    new.add_argument("id", help="lowercase letters, digits and dashes")
    new.add_argument("--name", default="")
    new.add_argument("--data-dir", type=Path)


def run(settings: Settings, args: argparse.Namespace) -> None:
    db = Database(settings.resolved_database_url)
    try:
        migrate(db.engine)
        if args.command == "users":
            role = _role(args)
            password = _password(args.password_stdin)
            with db.session() as session:
                user = create_user(session, email=args.email, password=password, site_admin=args.admin)
                if args.workspace:
                    set_membership(session, workspace=args.workspace, user_id=user.id, role=role)
            where = f", {role} of {args.workspace}" if args.workspace else ""
            print(f"latchlike: account {user.email} created{' (site admin)' if args.admin else ''}{where}")
        else:
            with db.session() as session:
                create_workspace(session, workspace_id=args.id, name=args.name)
            print(f"latchlike: workspace {args.id} created")
    except LatchlikeError as error:
        raise SystemExit(f"latchlike: {error.message}") from None
    finally:
        db.dispose()


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def local_mode_refusal(settings: Settings) -> str | None:
    """Why `serve` must not start, or None: without accounts, whoever reaches the server may
    run code as its user, which is acceptable only when nobody but this machine can."""
    if settings.auth != "local" or is_loopback(settings.host):
        return None
    return (
        f"latchlike: refusing to listen on {settings.host} without accounts: anyone who reaches it could run code "
        "as this user. Set LATCHLIKE_AUTH=accounts and create an admin with "
        f"`{FIRST_ADMIN}`, or listen on 127.0.0.1 only."
    )


def first_admin_hint(settings: Settings) -> str | None:
    """With accounts and no account yet, how to create the first one; else None."""
    if settings.auth != "accounts":
        return None
    db = Database(settings.resolved_database_url)
    try:
        migrate(db.engine)
        with db.session() as session:
            users = session.scalar(select(func.count()).select_from(UserRow)) or 0
    finally:
        db.dispose()
    if users:
        return None
    return f"latchlike: no accounts yet: create the first administrator with `{FIRST_ADMIN}` (same data dir)"


def _role(args: argparse.Namespace) -> Role:
    if args.role and not args.workspace:
        raise SystemExit("latchlike: --role needs --workspace")
    try:
        return Role.parse(args.role or "member")
    except ValueError as error:
        raise SystemExit(f"latchlike: {error}") from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise SystemExit("latchlike: the passwords differ")
    return password
