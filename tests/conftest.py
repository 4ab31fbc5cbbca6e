"""Test fixtures: a migrated database per run (SQLite, or PostgreSQL when
CEASEFIRE_TEST_DATABASE_URL is set), a rolled-back transaction per test, and API clients."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ceasefire.api.deps import get_session
from ceasefire.app import create_app
from ceasefire.db.engine import create_engine_for, normalize_url, session_factory, transaction
from ceasefire.interchange import load_replay
from ceasefire.kernel.actor import SYSTEM
from ceasefire.migrations.runner import upgrade
from ceasefire.settings import Settings
from tests.factories import make_user, token_for

PG_ENV = "CEASEFIRE_TEST_DATABASE_URL"
TEST_KEY = "k3ubzP5E0mzsGn5Ys0nwbE1pL9zQ9w0qj0XkzqjT1rY="  # a fixed Fernet key for tests only

# pytest-xdist workers start with COLUMNS=80 and LINES=24 in their environment, and rich freezes those
# into the CLI's consoles when they are created (at import), so a test asking CliRunner for a wider
# terminal would still get 80 columns under `-n auto`. Without them rich asks at print time.
for _variable in ("COLUMNS", "LINES"):
    os.environ.pop(_variable, None)


def _fresh_postgres(server_url: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database on the server named by the URL; return its URL and a dropper."""
    name = f"cf_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(normalize_url(server_url)).set(database=name)
    return url.render_as_string(hide_password=False), drop


def new_database_url(tmp: Path) -> tuple[str, Callable[[], None]]:
    """A new empty database of the dialect under test."""
    server = os.environ.get(PG_ENV)
    if server:
        return _fresh_postgres(server)
    return f"sqlite:///{(tmp / 'test.db').as_posix()}", lambda: None


@contextmanager
def migrated_database(tmp: Path) -> Iterator[Engine]:
    """A new database of the dialect under test, migrated to head; dropped afterwards."""
    url, drop = new_database_url(tmp)
    eng = create_engine_for(url)
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        drop()


@contextmanager
def rolled_back(eng: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back at the end (commits become savepoints)."""
    connection = eng.connect()
    outer = connection.begin()
    sess = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database for the whole run."""
    with migrated_database(tmp_path_factory.mktemp("db")) as eng:
        yield eng


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session rolled back after the test."""
    with rolled_back(engine) as sess:
        yield sess


@pytest.fixture(scope="session")
def replay_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of the dialect under test with the gazetteer and the 2016 replay loaded (once)."""
    with migrated_database(tmp_path_factory.mktemp("replay")) as eng:
        with transaction(session_factory(eng)) as sess:
            load_replay(sess, actor=SYSTEM)
        yield eng


@pytest.fixture
def replay(replay_engine: Engine) -> Iterator[Session]:
    """A session on the replay database, rolled back after the test."""
    with rolled_back(replay_engine) as sess:
        yield sess


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for tests (no environment leaks in)."""
    return Settings(  # type: ignore[call-arg]
        data_dir=tmp_path,
        max_body_bytes=64 * 1024,
        encryption_keys=[TEST_KEY],
        max_evidence_bytes=256 * 1024,
        # Tests send many requests from one address; the rate-limit tests set their own limits.
        login_rate_limit="10000/minute",
        public_report_rate_limit="10000/minute",
        receipt_rate_limit="10000/minute",
        _env_file=None,
    )


@pytest.fixture
def app(engine: Engine, session: Session, settings: Settings) -> FastAPI:
    """The application, sharing the test's session so everything rolls back."""
    application = create_app(settings, engine=engine)

    def shared_session() -> Iterator[Session]:
        yield session
        session.commit()

    application.dependency_overrides[get_session] = shared_session

    @contextmanager
    def shared_unit() -> Iterator[Session]:  # jobs after the response: the same session
        yield session
        session.commit()

    application.state.units = shared_unit
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous API client."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def as_role(session: Session, client: TestClient) -> Callable[..., dict[str, str]]:
    """Headers authenticating as a fresh user of a role: `client.get(url, headers=as_role("analyst"))`."""

    def headers(role: str = "analyst", **overrides: object) -> dict[str, str]:
        user = make_user(session, role=role, **overrides)
        return {"Authorization": f"Bearer {token_for(session, user)}"}

    return headers


@pytest.fixture
def analyst(as_role: Callable[..., dict[str, str]]) -> dict[str, str]:
    """Headers of an analyst (may read and write the registries)."""
    return as_role("analyst")


@pytest.fixture
def dialect(engine: Engine) -> str:
    """The dialect under test: sqlite or postgresql."""
    return engine.dialect.name
