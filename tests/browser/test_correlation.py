"""The correlation desk in a real browser: an analyst reads a proposal's signals and accepts it."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from ceasefire.correlation import service
from ceasefire.correlation.rules import Thresholds
from ceasefire.db.engine import session_factory, transaction
from tests.api.test_correlation_api import DOUBTFUL, claim
from tests.browser.conftest import ARTIFACTS, sign_in_as
from tests.factories import make_report

# A day the 2016 replay and the other browser tests leave alone, so nothing else is a candidate.
DAY = "2015-08-20"


def _proposal(engine: Engine, marker: str) -> tuple[str, str, str]:
    """Two reports correlated as they would be at intake: the second is proposed with the first."""
    with transaction(session_factory(engine)) as session:
        first = make_report(
            session,
            **{
                **claim(occurred_at=f"{DAY}T15:00:00+03:00"),
                "narrative": f"Artillery shells fell on Jobar, three killed ({marker}).",
            },
        )
        service.correlate_report(session, report=first, thresholds=Thresholds(), new=True)
        doubtful = make_report(session, **{**claim(**DOUBTFUL), "occurred_at": f"{DAY}T17:00:00+03:00"})
        outcome = service.correlate_report(session, report=doubtful, thresholds=Thresholds(), new=True)
        assert outcome.decision == "propose", outcome
        [pair_id] = outcome.proposals
        return first.lineage_id, doubtful.lineage_id, pair_id


def test_an_analyst_accepts_a_proposal(page: Page, server_engine: Engine) -> None:
    first, doubtful, pair_id = _proposal(server_engine, f"corr-{uuid.uuid4().hex[:8]}")
    sign_in_as(page, "analyst", then="/desk/correlation")
    expect(page.locator("h1")).to_have_text("Correlation proposals")
    expect(page.locator(".site-nav a[href='/desk/correlation']")).to_be_visible()
    card = page.locator(f"#pair-{pair_id}")
    expect(card).to_be_visible()
    expect(card.locator(f"a[href='/desk/reports/{doubtful}']")).to_be_visible()
    expect(card.locator(f"a[href='/desk/reports/{first}']")).to_be_visible()
    expect(card.locator("table.signals tbody tr")).to_have_count(5)
    expect(card.locator("tr.signal-time meter")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "test_correlation_proposals.png"), full_page=True)

    card.locator("form.accept button").click()
    expect(page).to_have_url(re.compile(r"/desk/correlation\?done=accepted&incident=[^&]+$"))
    expect(page.locator("#done")).to_contain_text("The proposal is accepted")
    expect(page.locator(f"#pair-{pair_id}")).to_have_count(0)
    page.locator("#done a").click()
    expect(page).to_have_url(re.compile(r"/desk/incidents/[^/?]+$"))
    section = page.locator("#correlation")
    expect(section.locator(f"#pair-{pair_id} .badge.pair-accepted")).to_have_text("accepted")
