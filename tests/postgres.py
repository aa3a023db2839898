"""A throw-away PostgreSQL 15 server for the test suite, with a fresh database per test.

Chosen with `LATCHLIKE_TEST_DATABASE=postgresql` (or pytest's `--db=postgresql`). The
server runs from Debian's binaries as an unprivileged user (PostgreSQL refuses root) in a
temp directory, on a free loopback port and a private socket directory; durability is off,
since it lives only as long as the test run. Each database is copied from a template that
was migrated once, and a thread keeps a few copies made ahead, so a test pays neither for the
migrations nor for waiting on a `CREATE DATABASE`; another thread drops them behind. With
pytest-xdist each worker process has a server of its own.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from latchlike.db import Database, migrate
from tests.server import free_port

SELECTOR = "LATCHLIKE_TEST_DATABASE"
POSTGRESQL = "postgresql"
BIN = Path("/usr/lib/postgresql/15/bin")
USER = "latchlike"
TEMPLATE = "latchlike_template"
BUILTINS_TEMPLATE = "latchlike_builtins"
"""Migrated, with the built-in workflows registered (tests/builtin_seed.py): made on first use."""
PREFIX, OWNER = "latchlike-pg-", "owner.pid"
"""A server's temp directory, and the file in it naming the test process that owns it."""
OWNERLESS_SECONDS = 60
"""How long a new directory may lack its owner file: the owner writes it right after making it."""
AHEAD = 6
"""Migrated databases made ahead of the tests that will take them."""
RUN_AS = "postgres"
"""The system account that owns the server's files when the tests run as root."""


def selected() -> bool:
    """Whether this test run uses PostgreSQL instead of SQLite."""
    return os.environ.get(SELECTOR, "sqlite").lower() == POSTGRESQL


class Cluster:
    """One running server; `create_database` hands out URLs of new, migrated databases."""

    def __init__(self) -> None:
        _stop_abandoned()
        self.directory = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.directory / OWNER).write_text(str(os.getpid()))
        self.port = free_port()
        self._names = itertools.count(1)
        self._by_data_dir: dict[Path, str] = {}
        self._builtins_ready = False
        data, sockets = self.directory / "data", self.directory / "sockets"
        sockets.mkdir()
        if os.geteuid() == 0:
            account = pwd.getpwnam(RUN_AS)
            for path in (self.directory, sockets):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._run(BIN / "initdb", "-D", data, "-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
        )
        log = self.directory / "server.log"
        self._run(BIN / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start")
        self._data = data
        self._admin("CREATE DATABASE " + TEMPLATE)
        template = Database(self.url(TEMPLATE))
        migrate(template.engine)
        template.dispose()
        self._ready: queue.Queue[str | Exception] = queue.Queue(maxsize=AHEAD)
        self._stopping = threading.Event()
        self._to_drop: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._make_ahead, name="postgres-ahead", daemon=True).start()
        threading.Thread(target=self._drop_behind, name="postgres-drops", daemon=True).start()

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, *, migrated: bool = True) -> str:
        """A new database (migrated, or empty for the migration tests); its URL."""
        if not migrated:
            return self._create(migrated=False)
        made = self._ready.get()
        if isinstance(made, Exception):
            raise made
        return made

    def _create(self, *, migrated: bool) -> str:
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if migrated else 'template0'}")
        return self.url(name)

    def _make_ahead(self) -> None:
        while not self._stopping.is_set():
            made: str | Exception
            try:
                made = self._create(migrated=True)
            except psycopg.Error as error:
                if self._stopping.is_set():
                    return  # the server stopped under it
                made = error  # raised in the test that takes it
            self._ready.put(made)  # waits while AHEAD are ready

    def database_for(self, data_dir: Path, *, builtins: bool = False) -> str:
        """The database of a server's data directory: a restarted server finds its own again.
        A new one holds the built-in workflows already if `builtins`."""
        key = data_dir.resolve()
        if key not in self._by_data_dir:
            self._by_data_dir[key] = self._with_builtins() if builtins else self.create_database()
        return self._by_data_dir[key]

    def _with_builtins(self) -> str:
        if not self._builtins_ready:
            from tests.builtin_seed import register_into  # imports flytekit: only when needed

            self._admin(f"CREATE DATABASE {BUILTINS_TEMPLATE} TEMPLATE {TEMPLATE}")
            register_into(self.url(BUILTINS_TEMPLATE), self.directory / "builtins")
            self._builtins_ready = True
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {BUILTINS_TEMPLATE}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Dropped behind the tests, as they are made ahead: a test does not wait for it."""
        self._to_drop.put(url.rsplit("/", 1)[1])

    def _drop_behind(self) -> None:
        while not self._stopping.is_set():
            name = self._to_drop.get()
            with contextlib.suppress(psycopg.Error):  # one left behind goes with the server
                self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self._stopping.set()
        stop = [str(BIN / "pg_ctl"), "-D", str(self._data), "-m", "immediate", "stop"]
        subprocess.run([*_as_owner(), *stop], capture_output=True, cwd="/")  # gone already is fine
        shutil.rmtree(self.directory, ignore_errors=True)

    def _admin(self, statement: str) -> None:
        conninfo = f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(statement.encode())

    @staticmethod
    def _run(*command: str | Path) -> None:
        subprocess.run([*_as_owner(), *map(str, command)], check=True, capture_output=True, cwd="/")


def _stop_abandoned() -> None:
    """Stop the servers of test runs that were killed (no `atexit` then): their owner is gone."""
    for directory in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        if _owned(directory):
            continue
        data = directory / "data"
        if (data / "postmaster.pid").exists():
            stop = [str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
            subprocess.run([*_as_owner(), *stop], capture_output=True, cwd="/")
        shutil.rmtree(directory, ignore_errors=True)


def _owned(directory: Path) -> bool:
    """Whether the test process that made `directory` still runs. Another xdist worker may be
    starting its own server beside this one: a directory without its owner's pid yet is young."""
    try:
        os.kill(int((directory / OWNER).read_text()), 0)
    except PermissionError:
        return True  # another user's process
    except (FileNotFoundError, ValueError):
        try:
            return time.time() - directory.stat().st_mtime < OWNERLESS_SECONDS
        except FileNotFoundError:
            return True  # removed meanwhile
    except OSError:
        return False
    return True


def _as_owner() -> list[str]:
    return ["runuser", "-u", RUN_AS, "--"] if os.geteuid() == 0 else []


_cluster: Cluster | None = None


def cluster() -> Cluster:
    """The test run's server, started on first use and stopped when the process exits."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster()
        atexit.register(_cluster.stop)
    return _cluster


def server_database(data_dir: Path, *, builtins: bool = False) -> str | None:
    """The database URL a server on `data_dir` should use; None means its own SQLite file."""
    return cluster().database_for(data_dir, builtins=builtins) if selected() else None
