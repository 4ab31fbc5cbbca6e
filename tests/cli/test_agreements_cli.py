"""`ceasefire agreements list|show` against a database of their own (the CLI commits its work)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.agreements import stances
from ceasefire.agreements.schemas import StanceCreate
from ceasefire.cli import context
from ceasefire.cli.main import app
from ceasefire.kernel.actor import SYSTEM
from tests.conftest import migrated_database
from tests.factories import make_agreement, make_party


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh migrated database that the CLI's unit of work uses, with the 2016 CoH and its extension."""
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        _seed(engine)
        yield engine


def _seed(engine: Engine) -> None:
    """Store what the tests of this module start from."""
    with Session(engine) as session:
        make_agreement(session, id="coh", name="CoH", source="ISSG")
        make_agreement(
            session,
            id="aleppo",
            name="Aleppo extension",
            kind="extension",
            parent_id="coh",
            starts_at="2016-05-04T00:00:00+03:00",
        )
        army = make_party(session, id="army", name="Army")
        data = StanceCreate(party_id=army.id, stance="committed", valid_from=date(2016, 2, 26), source="ISSG")
        stances.record_stance(session, agreement_id="coh", data=data, actor=SYSTEM)
        session.commit()


def test_show_gives_utc_and_damascus_times_and_inherited_stances(cli_engine: Engine) -> None:
    result = CliRunner().invoke(
        app, ["agreements", "show", "aleppo", "--on", "2016-05-05"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "2016-05-03 21:00 UTC = 2016-05-04 00:00 Asia/Damascus (UTC+03:00)" in result.output
    assert "stances on 2016-05-05" in result.output
    assert "Army (army)" in result.output
    assert "inherited from coh" in result.output


def test_list_filters_by_instant_and_refuses_naive_ones(cli_engine: Engine) -> None:
    runner = CliRunner()
    listed = runner.invoke(
        app, ["agreements", "list", "--in-force-on", "2016-03-01T12:00:00+02:00"], env={"COLUMNS": "200"}
    )
    assert listed.exit_code == 0, listed.output
    assert "coh" in listed.output
    assert "aleppo" not in listed.output
    assert "1 agreement(s)" in listed.output
    naive = runner.invoke(app, ["agreements", "list", "--in-force-on", "2016-03-01T12:00:00"])
    assert naive.exit_code == 1
    assert "time zone" in naive.output


def test_show_of_an_unknown_agreement_fails(cli_engine: Engine) -> None:
    result = CliRunner().invoke(app, ["agreements", "show", "nope"])
    assert result.exit_code == 1
    assert "no agreement with id 'nope'" in result.output
