"""Database engine, sessions and the declarative base; the schema is owned by Alembic.

SQLite is the embedded default (WAL, so readers never wait for the writer), PostgreSQL
when `database_url` says so. Migrations run on start, so a new release upgrades the
data directory it finds.

Under load, work queues instead of failing: async callers go through `Database.run`, which
waits in asyncio (not in a thread) for one of `sessions` slots, so the connection pool is
never exhausted by requests; and SQLite writers take one process-wide lock and `BEGIN
IMMEDIATE` at their first write, so they line up instead of meeting "database is locked".
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from alembic import command
from alembic.config import Config
from anyio import CapacityLimiter
from sqlalchemy import Connection, DateTime, Engine, TypeDecorator, create_engine, event, inspect, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from latchlike.errors import InternalError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SESSIONS = 4
"""Units of work `Database.run` lets in at once; the pool holds as many again for the
engine loop and other background work. Few on purpose: the work is mostly Python under
the GIL, and more threads would only take turns from the event loop that answers requests."""
WRITER_WAIT_SECONDS = 120.0
"""How long a SQLite writer waits for the others before its unit of work fails."""
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
BEGIN_WRITING = "BEGIN IMMEDIATE"
T = TypeVar("T")


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored naive in UTC and always come back timezone-aware.

    SQLite has no time zones; this keeps both backends returning the same values.
    """

    impl = DateTime
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        """What list filters coerce their text to (a decorator otherwise says `object`)."""
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, sessions: int = SESSIONS) -> Engine:
    pool = {"pool_size": sessions, "max_overflow": sessions}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        _serialise_writers(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process crash; only an OS crash may lose the last commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _serialise_writers(engine: Engine) -> None:
    """One writer at a time, by design: a connection's first write of a transaction takes
    the process-wide writer lock and opens the transaction with `BEGIN IMMEDIATE`; commit
    or rollback hands the lock on. Reads before the first write run outside the transaction
    (pysqlite's default), so a reader never turns into a writer that SQLite must refuse."""
    lock = threading.Lock()

    def before_execute(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        words = statement.lstrip().upper()
        begins = words.startswith(BEGIN_WRITING)  # `begin_writing`: the turn, before any write
        if conn.info.get("writer") or not (begins or words.startswith(_WRITES)):
            return
        if not lock.acquire(timeout=WRITER_WAIT_SECONDS):
            raise InternalError(f"the database is busy: no write turn within {WRITER_WAIT_SECONDS:.0f} s")
        conn.info["writer"] = True
        try:
            if not begins and not cursor.connection.in_transaction:
                cursor.execute(BEGIN_WRITING)
        except BaseException:
            hand_on(conn.info)
            raise

    def hand_on(info: dict[Any, Any]) -> None:
        if info.pop("writer", False):
            lock.release()

    event.listen(engine, "before_cursor_execute", before_execute)
    for name in ("commit", "rollback"):
        event.listen(engine, name, lambda conn, *_: hand_on(conn.info))
    # A connection given back or dropped in the middle of a transaction must not keep the turn.
    for name in ("checkin", "invalidate"):
        event.listen(engine, name, lambda _dbapi, record, *_: hand_on(record.info))


def begin_writing(session: Session) -> None:
    """Make this unit of work a writer from its start, so that nothing it reads can change
    before it commits: SQLite takes the writer turn and its write lock now (its driver would
    otherwise begin only at the first write); PostgreSQL needs nothing here (lock the rows
    read with `FOR UPDATE`). A unit of work that has the turn already keeps it."""
    if session.get_bind().dialect.name == "sqlite" and not session.connection().info.get("writer"):
        session.execute(text(BEGIN_WRITING))


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """An engine plus its session factory; the one handle services receive."""

    def __init__(self, url: str, sessions: int = SESSIONS) -> None:
        self.engine = make_engine(url, sessions)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._slots = sessions
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        with self._sessions.begin() as session:
            yield session

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work` in one unit of work, in a worker thread, once a slot is free.

        The one way async code (routes, gRPC handlers) reaches the database: opening,
        working and committing all happen in that one thread call, so no request ever holds
        a connection while it waits for a thread, and the wait for a slot is in asyncio.
        Keep `work` short: it holds a slot (and, once it writes to SQLite, the writer lock).
        """

        def unit() -> T:
            with self.session() as session:
                return work(session)

        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = CapacityLimiter(self._slots)
        return await anyio.to_thread.run_sync(unit, limiter=limiter)

    def dispose(self) -> None:
        self.engine.dispose()


def insert_if_absent(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """Insert one row unless its unique key is taken; True if this call inserted it.

    Race-free on both backends (ON CONFLICT DO NOTHING), so two clients registering the
    same thing at once both get a clean answer instead of an integrity error. The answer is
    whether a row came back: psycopg 3 reports the rowcount of this statement as -1.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    else:
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    key = inspect(table).primary_key
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(*key)
    return session.execute(statement).first() is not None
