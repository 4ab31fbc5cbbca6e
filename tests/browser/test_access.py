"""Humanitarian access in a real browser, on the 2016 replay's worked cases 6-8."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, sign_in_as

CONVOY = "un-convoy-aleppo-2016-09"
POST = "castello-road-observation-point"


def test_a_coordinator_sees_the_convoy_waiting_for_one_approval(page: Page) -> None:
    """Case 6: the UN convoy at the Turkish border, the government's approval pending, 3 days waiting."""
    sign_in_as(page, "coordinator", then="/access?at=2016-09-16")
    expect(page.locator("h1")).to_have_text("Movements board")
    row = page.locator(f'tr[data-movement="{CONVOY}"]')
    expect(row).to_contain_text("UN convoy from the Turkish border to east Aleppo")
    expect(row.locator(".approval-pending")).to_have_count(1)
    expect(row.locator(".days-waiting")).to_have_text("3")
    expect(page.locator("th.authority")).to_contain_text(["Syrian"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "access_movements_board.png"), full_page=True)
    row.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("UN convoy from the Turkish border")
    expect(page.locator(".days-waiting")).to_have_text("3")
    expect(page.locator("#approvals .approval-pending")).to_have_count(1)
    expect(page.locator("#obstructions")).to_contain_text("impediments to entry")
    expect(page.locator("#approvals form.decide-form")).to_have_count(1)
    expect(page.locator("[data-map] .leaflet-container, [data-map].leaflet-container")).to_have_count(1)
    expect(page.locator("[data-map] path.leaflet-interactive").first).to_be_visible()


def test_the_government_representative_sees_only_its_own_column(page: Page) -> None:
    sign_in_as(page, "sy-gov-rep", then="/access?at=2016-09-16")
    row = page.locator(f'tr[data-movement="{CONVOY}"]')
    expect(row.locator(".approval-pending")).to_have_count(1)
    expect(page.locator("th.authority")).to_have_count(1)
    page.goto(f"/access/movements/{CONVOY}")
    expect(page.locator("#approvals form.decide-form")).to_have_count(1)
    expect(page.locator("#status-form")).to_have_count(0)


def test_an_observer_files_the_missing_daily_log(page: Page) -> None:
    """Case 7: the Castello road post's missing log is flagged, and the observer files it."""
    sign_in_as(page, "observer", then="/observation?at=2016-09-15T09:00")
    expect(page.locator("nav.site-nav")).to_contain_text("Observation")
    missing = page.locator("#overdue tr.missing-log", has_text="Russian mobile observation point")
    expect(missing).to_have_count(2)
    expect(missing.first).to_contain_text("2016-09-13")
    missing.first.get_by_role("link", name="File this log").click()
    expect(page.locator("#day")).to_have_value("2016-09-13")
    page.fill("#crossings_civilians", "12")
    page.fill("#crossings_trucks", "4")
    page.select_option("#corridor_status", "open")
    page.fill("#movement_restrictions", "escort by the operator only")
    page.get_by_role("button", name="Add an incident").click()
    rows = page.locator("[data-incident-rows] .incident-row")
    expect(rows).to_have_count(3)
    first = rows.first
    first.locator("[name=incident_occurred_at]").fill("2016-09-13T16:00")
    first.locator("[name=incident_act_category]").select_option("sniper_fire")
    first.locator("[name=incident_narrative]").fill("Browser test: shots towards the road from the north.")
    page.get_by_role("button", name="File the log").click()
    expect(page.locator(".alert.ok")).to_contain_text("The daily log is stored.")
    day = page.locator("#day-2016-09-13")
    expect(day).to_contain_text("civilians 12")
    expect(day.locator("a.mono")).to_have_count(1)
    page.goto("/observation?at=2016-09-15T09:00")
    expect(
        page.locator("#overdue tr.missing-log", has_text="Russian mobile observation point")
    ).to_have_count(1)


def test_the_besieged_page_shows_east_aleppo(page: Page) -> None:
    """Case 8: east Aleppo, 250,000-300,000 civilians from two sources, and the days without aid."""
    sign_in_as(page, "coordinator", then="/access/besieged?at=2016-09-16")
    card = page.locator("#besieged-east-aleppo")
    expect(card).to_contain_text("East Aleppo")
    expect(card.locator(".population")).to_have_text(re.compile(r"250,000\s*–\s*300,000"))
    expect(card.locator(".days-without-aid strong")).to_have_text("19")
    expect(card.locator("ul.estimates li")).to_have_count(2)
    expect(card).to_contain_text("Syrian")
    expect(page.locator("[data-map] path.leaflet-interactive").first).to_be_visible()


def test_the_corridor_and_sites_pages(page: Page) -> None:
    sign_in_as(page, "observer", then="/access/corridors?at=2016-09-16")
    corridor = page.locator("#corridor-castello-road-corridor")
    expect(corridor).to_contain_text("round the clock")
    expect(corridor).to_contain_text("Syrian Arab Red Crescent")
    expect(corridor.locator(".badge.corridor-open").first).to_be_visible()
    page.goto("/access/sites")
    expect(page.locator("h1")).to_have_text("Notified humanitarian sites")


def test_a_coordinator_requests_a_late_convoy_and_the_government_answers(page: Page) -> None:
    """The route typed as places and a point; late notice is warned about; the representative answers."""
    sign_in_as(page, "coordinator", then="/access/movements/new")
    page.fill("#title", "Browser test convoy to east Aleppo")
    page.fill("#requester", "Browser test NGO")
    page.fill("#route", "Bab al-Hawa crossing\nCastello road\n36.2, 37.18")
    page.fill("#beneficiaries", "5000")
    page.fill("#window_start", "2016-09-17T08:00")
    page.fill("#window_end", "2016-09-17T18:00")
    page.select_option("#agreement_id", "sep-2016-arrangement")
    page.locator("[name=cargo_item]").first.fill("wheat flour")
    page.locator("[name=cargo_tonnes]").first.fill("20")
    page.get_by_role("button", name="Add a line").click()
    expect(page.locator("[name=cargo_item]")).to_have_count(5)
    expect(page.locator("#lead-preview")).to_be_visible()
    page.get_by_role("button", name="Record the movement").click()
    expect(page.locator("h1")).to_contain_text("Browser test convoy to east Aleppo")
    expect(page.locator(".lead-warning")).to_contain_text("48 h ahead")
    expect(page.locator(".facts")).to_contain_text("Bab al-Hawa")
    expect(page.locator("#approvals .approval-pending").first).to_be_visible()
    path = urlsplit(page.url).path
    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, "sy-gov-rep", then=path)
    forms = page.locator("#approvals form.decide-form")
    expect(forms).to_have_count(1)
    forms.locator("select[name=status]").select_option("conditional")
    forms.locator("input[name=conditions]").fill("inspection at the SARC checkpoint")
    forms.get_by_role("button", name="Record the answer").click()
    expect(page.locator(".alert.ok")).to_contain_text("The answer is recorded.")
    expect(page.locator("#approvals .approval-conditional")).to_have_count(1)
    expect(page.locator("#approvals")).to_contain_text("inspection at the SARC checkpoint")
