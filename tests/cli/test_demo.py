"""`ceasefire demo --no-serve`: a demo database set up from scratch, and set up again without duplicates.

The demo always uses the SQLite file of its data directory, whatever the dialect under test.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.cli.demo import ACCOUNT_USES, DEMO_PASSWORD, registry_counts, workflow_counts
from ceasefire.cli.main import app
from ceasefire.db.engine import create_engine_for
from ceasefire.identity.models import User

TOKEN = re.compile(r"^\s+analyst\s+analyst\s+(\S+)$", re.MULTILINE)


def _counts(data_dir: Path) -> tuple[dict[str, int], dict[str, tuple[str, str | None]]]:
    engine = create_engine_for(f"sqlite:///{(data_dir / 'ceasefire.db').as_posix()}")
    try:
        with Session(engine) as session:
            users = {u.username: (u.role, u.party_id) for u in session.scalars(select(User))}
            return registry_counts(session) | workflow_counts(session), users
    finally:
        engine.dispose()


def test_the_demo_sets_up_once_and_running_it_again_duplicates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--no-serve", "--data-dir", str(data_dir), "--port", "8123"])
    assert first.exit_code == 0, first.output
    counts, users = _counts(data_dir)
    assert counts["agreements"] == 7
    assert counts["parties"] >= 30
    assert (counts["messages"], counts["reports"], counts["incidents"]) == (8, 8, 5)  # worked cases 1-5
    assert users["sy-gov-rep"] == ("party_representative", "syrian-government-forces")
    assert users["coordinator"] == ("humanitarian_coordinator", None)
    assert {role for role, _ in users.values()} >= {"admin", "analyst", "liaison_officer", "observer"}
    for username, use in ACCOUNT_USES.items():  # which account to use for what
        assert re.search(rf"^\s+{username}\s+{re.escape(use[:40])}", first.output, re.MULTILINE), username
    assert DEMO_PASSWORD in first.output
    assert "http://127.0.0.1:8123/api/v1/health" in first.output
    assert "http://127.0.0.1:8123/api/v1/docs" in first.output
    token = TOKEN.search(first.output)
    assert token is not None
    assert token.group(1).startswith("cf_")

    second = runner.invoke(app, ["demo", "--no-serve", "--data-dir", str(data_dir)])
    assert second.exit_code == 0, second.output
    assert _counts(data_dir) == (counts, users)
    assert "loaded: 0 new items" in second.output
    assert "token already issued; run `ceasefire users token analyst`" in second.output
    assert token.group(1) not in second.output
