"""The audit trail records changes and refuses to be rewritten."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.factories import make_user


def test_creating_a_user_is_audited(client: TestClient, as_role, session: Session) -> None:
    make_user(session, username="audited1")
    entries = client.get("/api/v1/audit", params={"action": "user.create"}, headers=as_role("analyst")).json()
    assert entries["total"] >= 1
    assert any(e["changes"].get("username") == "audited1" for e in entries["items"])


@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"])
def test_the_audit_table_is_append_only(session: Session, statement: str) -> None:
    make_user(session)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text(statement))


def test_observers_cannot_read_the_audit_trail(client: TestClient, as_role) -> None:
    assert client.get("/api/v1/audit", headers=as_role("observer")).status_code == 403
