"""The analyst's desk in a real browser: grouping opposing reports, a determination, and access."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from ceasefire.db.engine import session_factory, transaction
from ceasefire.identity.service import actor_for
from ceasefire.intake.models import Report
from tests.browser.conftest import ARTIFACTS, sign_in_as
from tests.factories import make_report, make_user


def _opposing_reports(engine: Engine, marker: str) -> tuple[str, str]:
    """Worked case 1's shape (Jobar): the opposition asserts shelling, the government counter-accuses."""
    claim: dict[str, Any] = {
        "occurred_at": "2016-09-14T15:00:00+03:00",
        "time_precision": "day",
        "place_id": "damascus-jobar",
        "location_text": None,
        "act_category": "shelling",
        "source_name": None,
    }
    with transaction(session_factory(engine)) as session:
        analyst = actor_for(make_user(session, role="analyst"), via="api")
        one: Report = make_report(
            session,
            actor=analyst,
            source_party_id="free-syrian-army",
            perpetrator_party_id="syrian-government-forces",
            narrative=f"{marker}: government forces shelled our positions in Jobar this afternoon.",
            **claim,
        )
        other: Report = make_report(
            session,
            actor=analyst,
            source_party_id="syrian-government-forces",
            perpetrator_party_id="free-syrian-army",
            stance="counter_accuses",
            narrative=f"{marker}: armed groups in Jobar attacked army positions first.",
            **claim,
        )
        return one.id, other.id


def test_an_analyst_groups_opposing_reports_and_issues_a_determination(
    page: Page, server_engine: Engine
) -> None:
    marker = f"desk-{uuid.uuid4().hex[:8]}"
    first, second = _opposing_reports(server_engine, marker)
    sign_in_as(page, "analyst", then=f"/desk?stage=unlinked&q={marker}")
    expect(page.locator("h1")).to_have_text("Inbox")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    page.check("[data-desk-select-all]")
    expect(page.locator(f'input[name=report_id][value="{first}"]')).to_be_checked()
    expect(page.locator(f'input[name=report_id][value="{second}"]')).to_be_checked()
    expect(page.locator("[data-desk-count]")).to_have_text("(2)")
    page.fill("input[name=title]", f"Shelling in Jobar ({marker})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "test_desk_inbox_with_a_selection.png"), full_page=True)
    page.click("#bulk-form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/desk/incidents/[^/?]+\?done=group"))
    expect(page.locator("h1")).to_have_text(f"Shelling in Jobar ({marker})")
    expect(page.locator("[data-grade=contested] .badge")).to_have_text("contested")
    expect(page.locator(".claim.contradicting")).to_have_count(2)
    expect(page.locator("#contradictions .contradiction").first).to_contain_text("mutual accusation")
    # One column per side, the two claims side by side.
    columns = page.locator(".claim-column")
    expect(columns).to_have_count(2)
    left, right = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert left
    assert right
    assert abs(left["y"] - right["y"]) < 2
    assert left["x"] != right["x"]
    expect(page.locator("#applicability .verdict-in_scope").first).to_be_visible()

    page.select_option("#finding", "inconclusive")
    page.fill("#rationale", "Each side says the other attacked first; nothing yet decides between them.")
    page.click("#determination-form button[type=submit]")
    expect(page.locator(".alert.ok")).to_have_text("The determination is issued.")
    expect(page.locator(".determination.current")).to_contain_text("inconclusive")
    expect(page.locator("#timeline")).to_contain_text("determination.issue")
    page.locator("#claims").scroll_into_view_if_needed()


def test_a_party_representative_fails_to_open_another_partys_report(
    page: Page, server_engine: Engine
) -> None:
    with transaction(session_factory(server_engine)) as session:
        rep = make_user(session, role="party_representative", party_id="free-syrian-army")
        report = make_report(session, actor=actor_for(rep, via="api"), source_name=None)
        theirs = report.lineage_id
    sign_in_as(page, "sy-gov-rep", then="/desk")
    response = page.goto(f"/desk/reports/{theirs}")
    assert response is not None
    assert response.status == 404
    forbidden = page.locator("main").inner_text()
    response = page.goto("/desk/reports/no-such-report")
    assert response is not None
    assert response.status == 404
    assert page.locator("main").inner_text() == forbidden
    expect(page.locator("main h1")).to_have_text("Not found")


def test_an_agreement_shows_its_scope_on_a_map(page: Page) -> None:
    sign_in_as(page, "observer", then="/registries/agreements")
    page.click("text=Extension of the cessation of hostilities to Aleppo")
    expect(page.locator("h1")).to_contain_text("Aleppo")
    expect(page.locator("[data-map].leaflet-container")).to_be_visible()
    expect(page.locator("[data-map] path.leaflet-interactive").first).to_be_attached()
    expect(page.locator("#scope table")).to_contain_text("included")
