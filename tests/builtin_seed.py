"""Test servers start on a database that holds the built-in workflows already.

A server registers the built-ins at start unless its database has them at their version, and
serializing them takes a flytekit process: about 2 s of CPU for each of the suite's many
servers. So each test process registers them once into a template (an SQLite file here, a
template database in tests/postgres.py), and a new server's database starts as a copy of it;
the server then finds them and goes on. A server told another project, image or no
built-ins (`seedable`) starts empty and registers what its settings say, as ever.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

from latchlike.config import Settings
from latchlike.platform import open_platform

CHOSEN_BY_SETTINGS = ("LATCHLIKE_DEFAULT_PROJECT", "LATCHLIKE_BUILTIN_IMAGE", "LATCHLIKE_REGISTER_BUILTIN_WORKFLOWS")
"""What the built-ins a server registers depend on: a server given any of these is not seeded."""


def seedable(builtins: bool, environment: Mapping[str, str]) -> bool:
    """Whether a server with this environment would register exactly the template's built-ins."""
    return builtins and not any(name in environment for name in CHOSEN_BY_SETTINGS)


def register_into(database_url: str, data_dir: Path) -> None:
    """The built-ins, registered the way a server's start registers them, into `database_url`."""
    from latchlike.builtins import register_builtin_workflows  # imports the workflows: only when needed

    platform = open_platform(Settings(data_dir=data_dir, database_url=database_url, register_builtin_workflows=False))
    try:
        register_builtin_workflows(platform)
    finally:
        platform.db.dispose()


_template: Path | None = None


def seed_sqlite(database: Path) -> None:
    """Make `database` a copy of this process's SQLite template, made on first use."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="latchlike-builtins-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        register_into(f"sqlite:///{folder / 'template.db'}", folder / "data")
        _template = folder / "template.db"
    with closing(sqlite3.connect(_template)) as source, closing(sqlite3.connect(database)) as copy:
        source.backup(copy)
