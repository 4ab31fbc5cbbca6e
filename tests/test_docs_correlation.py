"""docs/correlation.md runs: its curl examples against the API, its ACLED sample through the
importer, and every `ceasefire` command it shows exists."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ceasefire.cli.demo import DEMO_ACCOUNTS
from ceasefire.correlation import acled
from ceasefire.kernel.actor import SYSTEM
from tests.factories import make_user, token_for
from tests.test_docs_workflow import Shell, run_page

PAGE = Path(__file__).resolve().parent.parent / "docs" / "correlation.md"


@pytest.fixture
def page_shell(client: TestClient, session: Session) -> Shell:
    """The demo's secretariat accounts, their tokens in $ANALYST, $ADMIN, ..."""
    tokens: dict[str, str] = {}
    variables = {"API": "/api/v1"}
    for username, display_name, role, party_id in DEMO_ACCOUNTS:
        if party_id is not None:
            continue
        user = make_user(session, username=username, display_name=display_name, role=role)
        tokens[username] = token_for(session, user)
        variables[username.upper().replace("-", "_")] = tokens[username]
    return Shell(client, tokens, variables)


def test_the_correlation_page_runs(page_shell: Shell, session: Session) -> None:
    run_page(page_shell, PAGE.read_text(encoding="utf-8"))
    sent = " ".join(page_shell.sent)
    for route in ("/correlation/proposals", "/correlation/runs", "/reports/"):
        assert route in sent
    assert page_shell.variables["GROUPED"] == page_shell.variables["INCIDENT"]
    sample = page_shell.files["acled-sample.csv"]
    result = acled.import_acled(session, io.StringIO(sample), actor=SYSTEM)
    assert (result.rows, result.created, len(result.problems)) == (3, 2, 1)
    assert result.problems[0].row == 4
    assert "not a date" in result.problems[0].reason
