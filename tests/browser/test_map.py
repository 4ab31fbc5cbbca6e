"""The map in a real browser: the 2016 replay's incidents on the offline basemap, filtered."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in_as


def _total(page: Page) -> int:
    count = page.locator("#map-count[data-total]")
    expect(count).to_be_visible()
    return int(count.get_attribute("data-total") or "-1")


def test_the_map_shows_the_demo_incidents_and_filters_them(page: Page) -> None:
    sign_in_as(page, "analyst", then="/map")
    page.goto("/map")
    # The offline basemap (Natural Earth countries) and the governorate names are drawn.
    expect(page.locator(".leaflet-basemap-pane path").first).to_be_attached()
    expect(page.locator(".map-label.governorate").first).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Made with Natural Earth")
    # The replay's incidents appear as server-side clusters and markers coloured by grade.
    markers = page.locator(".map-cluster, path.map-incident")
    expect(markers.first).to_be_visible()
    before = _total(page)
    assert before > 0
    expect(page.locator("#map-count")).to_contain_text(f"{before} incidents in view")
    # The time slider shows its dates; a grade filter narrows the map (the form submits itself).
    expect(page.locator(".time-slider output").first).not_to_be_empty()
    page.select_option("#map-grade", "contested")
    page.wait_for_url("**/map?*grade=contested*")
    expect(page.locator("#map-count[data-total]")).to_be_visible()
    after = _total(page)
    assert after < before
    # Moving the start of the period to the end of the range leaves fewer incidents in view.
    page.goto("/map")
    first = _total(page)
    slider = page.locator("#map-slider-from")
    slider.focus()
    page.keyboard.press("End")
    page.wait_for_url("**/map?*from=*")
    expect(page.locator("#map-count[data-total]")).to_be_visible()
    assert _total(page) < first
    # Selecting a cluster zooms in on it; back on the whole country for the screenshot.
    page.goto("/map")
    expect(markers.first).to_be_visible()
    page.locator(".map-cluster").first.click()
    expect(page.locator("#map-count[data-total]")).to_be_visible()
    page.goto("/map")
    expect(markers.first).to_be_visible()


def test_the_public_map_shows_only_published_incidents(page: Page) -> None:
    page.goto("/map")
    expect(page.locator("#map-count[data-total]")).to_be_visible()
    published = page.request.get("/api/v1/public/incidents").json()["total"]
    assert _total(page) == published
    expect(page.locator("#map-area")).to_have_count(0)  # no polygons nor area filter for the public


def test_the_map_in_arabic_names_the_governorates_in_arabic(page: Page) -> None:
    page.goto("/map?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".map-label.governorate", has_text="دمشق").first).to_be_visible()
    expect(page.locator("#map-count[data-total]")).to_be_visible()
