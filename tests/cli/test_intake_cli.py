"""`ceasefire reports list|show|withdraw` and `ceasefire messages show` on a database of their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.audit.models import AuditEntry
from ceasefire.cli import context
from ceasefire.cli.main import app
from ceasefire.identity import service as identity
from ceasefire.identity.crypto import FernetCipher
from ceasefire.intake.models import ReportWithdrawal
from tests.conftest import TEST_KEY, migrated_database
from tests.factories import make_party, make_report, make_user

WIDE = {"COLUMNS": "250"}


@dataclass(frozen=True)
class Seeded:
    engine: Engine
    ours: str  # a report lineage submitted by party A's representative "rep-a"
    theirs: str  # one submitted by party B's representative
    message: str  # the message of `ours`, with contact details


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seeded]:
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        with Session(engine) as session:
            party_a, party_b = make_party(session), make_party(session)
            rep_a = identity.actor_for(
                make_user(session, username="rep-a", role="party_representative", party_id=party_a.id),
                via="cli",
            )
            rep_b = identity.actor_for(
                make_user(session, username="rep-b", role="party_representative", party_id=party_b.id),
                via="cli",
            )
            ours = make_report(
                session,
                actor=rep_a,
                cipher=FernetCipher([TEST_KEY]),
                contact="+963 944 123 456",
                body="Mortars hit the market",
                perpetrator_text="unknown gunmen",
            )
            theirs = make_report(
                session, actor=rep_b, act_category="air_strike", sub_event_type="air_drone_strike"
            )
            session.commit()
            yield Seeded(engine, ours.lineage_id, theirs.lineage_id, ours.message_id)


def test_list_and_show_reports_as_the_secretariat_and_as_a_party(seeded: Seeded) -> None:
    runner = CliRunner()
    everything = runner.invoke(app, ["reports", "list"], env=WIDE)
    assert everything.exit_code == 0, everything.output
    assert seeded.ours in everything.output
    assert seeded.theirs in everything.output
    strikes = runner.invoke(app, ["reports", "list", "--act-category", "air_strike"], env=WIDE)
    assert seeded.theirs in strikes.output
    assert seeded.ours not in strikes.output
    mine = runner.invoke(app, ["reports", "list", "--as", "rep-a"], env=WIDE)
    assert seeded.ours in mine.output
    assert seeded.theirs not in mine.output
    shown = runner.invoke(app, ["reports", "show", "--", seeded.ours], env=WIDE)
    assert shown.exit_code == 0, shown.output
    assert "version 1 of 1 — current" in shown.output
    assert "unknown gunmen" in shown.output
    hidden = runner.invoke(app, ["reports", "show", "--as", "rep-b", "--", seeded.ours], env=WIDE)
    assert hidden.exit_code == 1
    assert "no report" in hidden.output


def test_show_a_message_without_its_contact_details(seeded: Seeded) -> None:
    shown = CliRunner().invoke(app, ["messages", "show", "--", seeded.message], env=WIDE)
    assert shown.exit_code == 0, shown.output
    assert "Mortars hit the market" in shown.output
    assert "on file (encrypted" in shown.output
    assert "944" not in shown.output


def test_withdraw_a_report_by_its_party_and_refuse_another(seeded: Seeded) -> None:
    runner = CliRunner()
    refused = runner.invoke(
        app, ["reports", "withdraw", seeded.ours, "--reason", "x", "--as", "rep-b"], env=WIDE
    )
    assert refused.exit_code == 1
    done = runner.invoke(
        app, ["reports", "withdraw", seeded.ours, "--reason", "sent in error", "--as", "rep-a"]
    )
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["reports", "list", "--state", "withdrawn"], env=WIDE)
    assert seeded.ours in listed.output
    with Session(seeded.engine) as session:
        withdrawal = session.scalar(
            select(ReportWithdrawal).where(ReportWithdrawal.lineage_id == seeded.ours)
        )
        assert withdrawal is not None
        assert withdrawal.reason == "sent in error"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "report.withdraw"))
        assert entry is not None
        assert (entry.actor, entry.via) == ("rep-a", "cli")
    again = runner.invoke(app, ["reports", "withdraw", "--reason", "again", "--", seeded.ours])
    assert again.exit_code == 1
    assert "already withdrawn" in again.output
