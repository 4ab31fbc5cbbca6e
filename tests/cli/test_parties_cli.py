"""`ceasefire parties list|show|resolve` against a database of their own (the CLI commits its work)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.cli import context
from ceasefire.cli.main import app
from tests.conftest import migrated_database
from tests.factories import make_party
from tests.parties_data import AHRAR, ISIL, NUSRA

WIDE = {"COLUMNS": "250"}


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh migrated database holding Nusra (renamed in 2016), Islamic State and Ahrar al-Sham."""
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        _seed(engine)
        yield engine


def _seed(engine: Engine) -> None:
    """Store what the tests of this module start from."""
    with Session(engine) as session:
        for payload in (NUSRA, ISIL, AHRAR):
            make_party(session, **payload)
        session.commit()


def test_resolve_explains_a_name_not_yet_in_use(cli_engine: Engine) -> None:
    result = CliRunner().invoke(
        app, ["parties", "resolve", "Jabhat Fatah al-Sham", "--on", "2016-03-01"], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert "jabhat-al-nusra" in result.output
    assert "it was called Jabhat al-Nusra" in result.output


def test_resolve_refuses_a_bad_date_and_reports_no_match(cli_engine: Engine) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["parties", "resolve", "Nusra", "--on", "July 2016"])
    assert bad.exit_code == 2
    assert "not a date" in bad.output
    none = runner.invoke(app, ["parties", "resolve", "zzqx"])
    assert none.exit_code == 1
    assert "no party matches" in none.output


def test_list_and_show(cli_engine: Engine) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["parties", "list", "--q", "daesh"], env=WIDE)
    assert listed.exit_code == 0, listed.output
    assert "islamic-state" in listed.output
    assert "ahrar-al-sham" not in listed.output
    shown = runner.invoke(app, ["parties", "show", "jabhat-al-nusra"], env=WIDE)
    assert shown.exit_code == 0, shown.output
    assert "Jabhat Fatah al-Sham" in shown.output
    assert "2016-07-28" in shown.output
    unknown = runner.invoke(app, ["parties", "show", "nobody"])
    assert unknown.exit_code == 1
    assert "no party with id 'nobody'" in unknown.output
