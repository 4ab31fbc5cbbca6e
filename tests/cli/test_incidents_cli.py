"""`ceasefire incidents` against a database of its own (the CLI commits its work)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.audit.models import AuditEntry
from ceasefire.cli import context
from ceasefire.cli.main import app
from ceasefire.incidents.models import Incident
from tests.conftest import migrated_database
from tests.incidents_data import jobar

WIDE = {"COLUMNS": "220"}


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh migrated database for the CLI's unit of work."""
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        yield engine


def _jobar_reports(engine: Engine) -> tuple[str, str]:
    with Session(engine) as session:
        case = jobar(session)
        ids = case.opposition.id, case.government.id
        session.commit()
    return ids


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, ["incidents", *args], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.output


def test_open_show_and_list_an_incident(cli_engine: Engine) -> None:
    opposition, government = _jobar_reports(cli_engine)
    opened = invoke("open", "--title", "Jobar shelling", "--", opposition, government)
    assert "grade contested" in opened
    with Session(cli_engine) as session:
        incident = session.scalars(select(Incident)).one()
    shown = invoke("show", "--", incident.id)
    assert "Jobar shelling" in shown
    assert "grade: contested" in shown
    assert "mutual accusation" in shown
    assert "Faylaq al-Rahman" in shown
    assert "Government of Syria" in shown
    assert "counter_accuses" in shown
    listed = invoke("list", "--grade", "contested")
    assert incident.id in listed
    assert "1 incident(s)" in listed
    assert "0 incident(s)" in invoke("list", "--grade", "confirmed")


def test_link_unlink_and_stage_from_the_terminal(cli_engine: Engine) -> None:
    opposition, government = _jobar_reports(cli_engine)
    invoke("open", "--title", "Jobar", "--", opposition)
    with Session(cli_engine) as session:
        incident_id = session.scalars(select(Incident.id)).one()
    assert "grade contested" in invoke("link", "--", incident_id, government)
    assert "unlinked" in invoke("unlink", "--reason", "a different clash", "--", incident_id, government)
    assert "new -> triage" in invoke("stage", "--", incident_id, "triage")
    refused = CliRunner().invoke(app, ["incidents", "stage", "--", incident_id, "closed"], env=WIDE)
    assert refused.exit_code == 1
    assert "cannot move from triage to closed" in refused.output
    with Session(cli_engine) as session:
        logged = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == incident_id)).all()
        via = set(session.scalars(select(AuditEntry.via).where(AuditEntry.entity_id == incident_id)))
    assert logged == ["incident.open", "incident.link", "incident.unlink", "incident.stage"]
    assert via == {"cli"}


def test_an_unknown_incident_is_a_clear_error(cli_engine: Engine) -> None:
    result = CliRunner().invoke(app, ["incidents", "show", "nope"], env=WIDE)
    assert result.exit_code == 1
    assert "no incident with id 'nope'" in result.output
