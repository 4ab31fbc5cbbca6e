"""Engine and session factories; the caller (app or CLI) decides the URL, nothing happens at import."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("ceasefire.db")
SQLITE_MMAP_BYTES = 1 << 31


def normalize_url(url: str) -> str:
    """Point plain postgresql:// URLs at psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions lazily (before DML only) and a SAVEPOINT outside a transaction
    # commits on release; hand transaction control to SQLAlchemy, which emits BEGIN (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Read the database file through a memory map (up to SQLite's own cap, 2 GiB by default):
    # pages already in the operating system's cache cost no system call and no copy. An index
    # lookup touching a few hundred pages (the correlation of one report) took twice as long without.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _sqlite_statistics(dbapi_connection: Any, _record: Any) -> None:
    # SQLite plans joins from the statistics ANALYZE leaves; without them it guessed wrong on the
    # inbox at 100,000 reports (a scan and sort of every report, 600 ms, instead of walking the index
    # of message.received_at, 1 ms). An engine's first connection refreshes them, sampled
    # (analysis_limit) so that it takes milliseconds: a server gets current statistics at each start.
    # Best effort: another process holding the write lock (a server while a CLI command starts) must
    # not make the connection fail; the statistics are then left for the next start.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=200")
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    except sqlite3.OperationalError:
        log.info("SQLite statistics not refreshed: the database is busy or read-only")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def create_engine_for(url: str, *, echo: bool = False, **kwargs: Any) -> Engine:
    """Build an engine; on SQLite turn on foreign keys and WAL for every connection."""
    url = normalize_url(url)
    engine = sa_create_engine(url, echo=echo, future=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "first_connect", _sqlite_statistics)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (the edge commits, then serialises)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
