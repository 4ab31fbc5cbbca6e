"""`ceasefire applicability check` and `ceasefire determinations issue|list` on a database of their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.agreements import record_stance
from ceasefire.agreements.schemas import StanceCreate
from ceasefire.cli import context
from ceasefire.cli.main import app
from ceasefire.kernel.actor import SYSTEM
from tests.conftest import migrated_database
from tests.determinations_data import store_incident
from tests.factories import make_agreement, make_party, make_user

WIDE = {"COLUMNS": "220"}


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated database the CLI uses, with a CoH, a committed army and one incident."""
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        with Session(engine) as session:
            make_party(session, id="army", name="Army", kind="state_forces")
            make_party(session, id="outsiders", name="Outsiders")
            make_agreement(
                session,
                id="coh",
                name="CoH",
                obligations=[{"kind": "prohibited_act", "category": "shelling"}],
            )
            data = StanceCreate(
                party_id="army", stance="committed", valid_from=date(2016, 2, 27), source="test"
            )
            record_stance(session, agreement_id="coh", data=data, actor=SYSTEM)
            claim = {
                "occurred": "2016-02-22T10:00+02:00",
                "time_precision": "week",
                "act_category": "shelling",
                "perpetrator_party_id": "army",
            }
            store_incident(session, "inc-1", [claim], where=(36.72, 34.72))
            make_user(session, username="stranger", role="party_representative", party_id="outsiders")
            session.commit()
        yield engine


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    return result.exit_code, result.output


def test_check_prints_each_verdict_with_its_trace(cli_engine: Engine) -> None:
    code, output = invoke("applicability", "check", "inc-1")
    assert code == 0, output
    assert "CoH" in output
    assert "uncertain" in output
    assert "time straddles start" in output
    assert "straddles the start 2016-02-27 00:00 Asia/Damascus" in output
    assert "0 in scope, 0 out of scope, 1 uncertain" in output


def test_issue_then_list_shows_the_current_and_the_superseded(cli_engine: Engine) -> None:
    base = ("determinations", "issue", "inc-1", "--rationale", "Reported, not denied.")
    code, output = invoke(*base, "--finding", "inconclusive")
    assert code == 0, output
    first = output.split()[1].rstrip(":")
    code, output = invoke(
        *base, "--finding", "violation", "--responsible", "army", "--provision", "coh:shelling"
    )
    assert code == 0, output
    assert f"superseding {first}" in output
    code, output = invoke("determinations", "list", "inc-1")
    assert code == 0, output
    assert "current" in output
    assert "superseded by" in output
    assert "coh: shelling" in output
    assert "2 determination(s)" in output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--provision", "coh"), "AGREEMENT_ID:CATEGORY"),
        (("--provision", "coh:siege"), "has no obligation 'siege'"),
        (("--rationale", " "), "rationale"),
    ],
)
def test_bad_findings_exit_with_an_error_and_store_nothing(
    cli_engine: Engine, extra: tuple[str, ...], message: str
) -> None:
    args = ["determinations", "issue", "inc-1", "--finding", "violation", "--rationale", "why", *extra]
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "0 determination(s)" in invoke("determinations", "list", "inc-1")[1]


def test_a_party_representative_cannot_see_another_partys_incident(cli_engine: Engine) -> None:
    result = CliRunner().invoke(app, ["applicability", "check", "inc-1", "--as", "stranger"], env=WIDE)
    assert result.exit_code == 1
    assert "no incident with id 'inc-1'" in result.stderr
