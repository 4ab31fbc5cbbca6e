"""`ceasefire import --acled` and `ceasefire correlate ...` against a database of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.cli import context
from ceasefire.cli.main import app
from ceasefire.incidents.models import IncidentReport
from ceasefire.intake.models import Report
from tests.conftest import migrated_database
from tests.service.test_correlation import HEADER, acled_row

WIDE = {"COLUMNS": "220"}


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        yield engine


def invoke(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    assert result.exit_code == code, result.output
    return result.output


def test_import_acled_then_correlate(cli_engine: Engine, tmp_path: Path) -> None:
    rows = [
        acled_row("SYR1"),
        acled_row(
            "SYR2", actor1="Jaysh al-Islam", actor2="Military Forces of Syria (2000-2024)", source="SANA"
        ),
        acled_row("SYR3", latitude="999"),
    ]
    path = tmp_path / "acled.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = invoke("import", "--acled", str(path))
    assert "3 rows, 2 reports created, 0 already imported, 1 unreadable" in out
    assert "latitude" in out
    assert "SYR3" in out
    again = json.loads(invoke("import", "--acled", str(path), "--json"))
    assert again[0]["created"] == 0
    assert again[0]["already_imported"] == 2
    assert again[0]["problems"] == [
        {"row": 4, "event_id_cnty": "SYR3", "reason": "latitude 999.0 is outside -90..90"}
    ]
    run = json.loads(invoke("correlate", "run", "--json"))
    assert run["status"] == "done"
    assert run["via"] == "cli"
    assert run["summary"]["reports"] == 2
    assert run["summary"]["incidents_opened"] == 1
    listed = invoke("correlate", "runs")
    assert run["id"] in listed
    assert "done" in listed
    with Session(cli_engine) as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 2
        assert session.scalar(select(func.count()).select_from(IncidentReport)) == 2
        lineage = session.scalars(select(Report.lineage_id)).first()
    explained = json.loads(invoke("correlate", "explain", str(lineage)))
    assert explained["linked_by"] == "batch"
    assert "0 pair(s)" in invoke("correlate", "proposals")
    assert "indexed 1" in invoke("correlate", "reindex")
    invoke("correlate", "accept", "no-such-pair", code=1)


def test_import_refuses_a_file_that_is_not_acled(cli_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "--acled", str(path)], env=WIDE)
    assert result.exit_code == 1
    assert "not an ACLED export" in result.output
