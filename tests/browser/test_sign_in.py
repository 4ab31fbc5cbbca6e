"""Signing in and out in a real browser, and the language switch (the page mirrors for Arabic)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in_as


def test_an_analyst_signs_in_and_out(page: Page) -> None:
    sign_in_as(page, "analyst")
    expect(page.locator(".sign-out .who")).to_have_text("Demo analyst")
    page.click(".sign-out button")
    expect(page.locator("a.sign-in")).to_be_visible()


def test_a_wrong_password_is_refused_with_a_message(page: Page) -> None:
    page.goto("/login")
    page.fill("#username", "observer")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("wrong username or password")


def test_arabic_pages_are_right_to_left(page: Page) -> None:
    page.goto("/?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # The header mirrors: the brand sits on the right in a right-to-left page.
    brand = page.locator(".brand").bounding_box()
    assert brand is not None
    assert brand["x"] > 640
    page.click(".lang-switch a[lang=ru]")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
