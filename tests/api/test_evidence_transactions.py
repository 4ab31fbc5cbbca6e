"""Evidence routes with the server's own transactions (a database of their own, really committed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ceasefire.app import create_app
from ceasefire.evidence import service
from ceasefire.evidence.models import CustodyEvent, Evidence
from ceasefire.evidence.store import EvidenceStore
from ceasefire.settings import Settings
from tests.conftest import migrated_database
from tests.evidence_data import CAPTURED_ISO, png, stored_files, tamper
from tests.factories import make_user, token_for


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    with migrated_database(tmp_path) as engine:
        yield engine


@pytest.fixture
def server(
    own_engine: Engine, settings: Settings
) -> Iterator[tuple[TestClient, dict[str, str], EvidenceStore]]:
    """A client of an app committing to its own database, and an analyst's headers."""
    with Session(own_engine) as session:
        token = token_for(session, make_user(session, role="analyst"))
        session.commit()
    app = create_app(settings, engine=own_engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {token}"}, app.state.evidence_store


def _upload(client: TestClient, headers: dict[str, str]) -> Any:
    data = {"collector": "field team", "captured_at": CAPTURED_ISO}
    return client.post(
        "/api/v1/evidence", data=data, files={"file": ("a.png", png(), "image/png")}, headers=headers
    )


def test_a_failed_fixity_check_stays_in_the_custody_log(
    server: tuple[TestClient, dict[str, str], EvidenceStore], own_engine: Engine
) -> None:
    client, headers, store = server
    created = _upload(client, headers).json()
    tamper(store, created["sha256"])
    assert client.get(f"/api/v1/evidence/{created['id']}/content", headers=headers).status_code == 409
    with Session(own_engine) as session:
        actions = session.scalars(
            select(CustodyEvent.action)
            .where(CustodyEvent.evidence_id == created["id"])
            .order_by(CustodyEvent.id)
        ).all()
    assert list(actions) == ["received", "stored", "fixity_failed"]


def test_nothing_is_recorded_when_the_database_part_fails(
    server: tuple[TestClient, dict[str, str], EvidenceStore],
    own_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, headers, store = server

    def broken_audit(*_: object, **__: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "record", broken_audit)
    response = _upload(client, headers)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    with Session(own_engine) as session:
        assert session.scalar(select(func.count()).select_from(Evidence)) == 0
        assert session.scalar(select(func.count()).select_from(CustodyEvent)) == 0
    # The file stays on disk under its SHA-256 (documented); the next upload reuses it.
    assert len(stored_files(store.root)) == 1
    monkeypatch.undo()
    again = _upload(client, headers)
    assert again.status_code == 201
    assert len(stored_files(store.root)) == 1
