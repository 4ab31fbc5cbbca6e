"""A witness on a phone, in Arabic: reports with a photo, keeps the code, follows it and adds to it."""

from __future__ import annotations

import re
import struct
import zlib

from playwright.sync_api import FilePayload, Page, expect
from sqlalchemy import Engine

from ceasefire.db.engine import session_factory, transaction
from ceasefire.incidents import service as incidents
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.claims import Publication
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_report

CODE = re.compile(r"^CF-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


def photo(width: int = 32, height: int = 24) -> bytes:
    """A small real PNG: a red-to-blue gradient."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((255 - x * 8 % 256, 40, x * 8 % 256)) for x in range(width))
        for _ in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png_file(name: str, content: bytes) -> FilePayload:
    """A PNG for a file picker."""
    return {"name": name, "mimeType": "image/png", "buffer": content}


def _watch(tab: Page) -> tuple[list[str], list[str]]:
    """Console errors and failed sub-resources (CSP violations show up here), and XHR posts."""
    errors: list[str] = []
    posts: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    tab.on(
        "request",
        lambda r: posts.append(r.url) if r.resource_type == "xhr" and r.method == "POST" else None,
    )
    return errors, posts


def test_an_anonymous_witness_reports_in_arabic_with_a_photo_and_adds_to_it(phone: Page) -> None:
    errors, posts = _watch(phone)
    phone.goto("/report?lang=ar")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("h1")).to_have_text("الإبلاغ عن انتهاك")
    # Nothing sticks out sideways on a 360-pixel phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # The honeypot is out of sight and out of the tab order.
    expect(phone.locator("#website")).not_to_be_in_viewport()

    phone.fill("#occurred_date", "2016-05-03")
    phone.fill("#occurred_time", "14:30")
    phone.fill("#location_text", "حلب، حي الموكامبو، قرب مشفى الضبيط")
    phone.select_option("#act_category", "attack_on_medical_facility")
    phone.fill("#narrative", "سقطت صواريخ على مشفى الضبيط بعد الظهر. رأيت سيارات الإسعاف تنقل الجرحى.")
    phone.fill("#killed_min", "3")
    phone.fill("#injured_min", "17")
    phone.set_input_files("#files", files=[png_file("الضبيط.png", photo())])
    phone.screenshot(path=str(ARTIFACTS / "test_public_report_form_ar.png"), full_page=True)
    # Sending a photo through the progress bar on a busy test machine can take a while.
    with phone.expect_navigation(url=re.compile(r".*/report/sent/CF-.*"), timeout=60_000):
        phone.click("button[type=submit]")
    code = phone.locator("#reference-code").inner_text().strip()
    assert CODE.match(code), code
    expect(phone.locator("h1")).to_have_text("رمزك المرجعي")
    expect(phone.locator(".keep-safe")).to_contain_text("احتفظ بهذا الرمز")
    # The code is printed left to right, whole, inside the phone's width.
    box = phone.locator("#reference-code").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360
    assert phone.locator("#reference-code").evaluate("e => getComputedStyle(e).direction") == "ltr"
    phone.screenshot(path=str(ARTIFACTS / "test_public_report_sent_ar.png"), full_page=True)
    # The photo went up through the progress-bar script, not a plain post.
    assert any(url.endswith("/report") for url in posts), posts

    phone.goto(f"/receipt/{code}")
    expect(phone.locator(".status-badge")).to_have_text("وصل")
    phone.fill("#body", "توفي اثنان من الجرحى في المساء.")
    phone.set_input_files("#files", files=[png_file("after.png", photo(16, 16))])
    phone.click("button[type=submit]")
    expect(phone.locator("#added")).to_contain_text("أُضيفت معلوماتك", timeout=60_000)
    assert any(url.endswith(f"/receipt/{code}") for url in posts), posts
    assert not errors, f"errors in the browser console: {errors}"


def test_a_witness_is_told_what_to_fix_and_keeps_what_was_typed(phone: Page) -> None:
    errors, _ = _watch(phone)
    phone.goto("/report?lang=ar")
    phone.fill("#occurred_date", "2016-05-03")
    phone.fill("#location_text", "دوما")
    phone.select_option("#act_category", "shelling")
    phone.fill("#narrative", "قصف على السوق.")
    phone.fill("#killed_min", "5")
    phone.fill("#killed_max", "2")
    phone.set_input_files("#files", files=[png_file("a.png", photo())])
    phone.click("button[type=submit]")
    expect(phone.locator("#killed_max-error")).to_have_text(
        "لا يجوز أن يكون العدد الثاني أصغر من الأول.", timeout=60_000
    )
    expect(phone.locator("#location_text")).to_have_value("دوما")
    expect(phone.locator(".reattach")).to_be_visible()
    # The form answered 422 with the problems marked (to the upload script): expected, not an error.
    errors = [e for e in errors if "422" not in e]
    assert not errors, f"errors in the browser console: {errors}"


def test_the_public_reads_a_published_incident_on_a_phone(phone: Page, server_engine: Engine) -> None:
    errors, _ = _watch(phone)
    with transaction(session_factory(server_engine)) as session:
        report = make_report(
            session,
            source_name="Aleppo health directorate",
            location_text="Aleppo, al-Dabbeet hospital",
            act_category="attack_on_medical_facility",
            occurred_at="2016-05-03T15:00:00+03:00",
            killed_min=3,
            killed_max=3,
            injured_min=17,
        )
        incident = incidents.open_incident(
            session, report_ids=[report.id], title="Rockets on al-Dabbeet hospital", actor=SYSTEM
        )
        incidents.set_publication(session, incident_id=incident.id, level=Publication.PUBLIC, actor=SYSTEM)
        incident_id = incident.id
    phone.goto("/published?lang=ar")
    phone.click(f"a[href='/published/{incident_id}']")
    expect(phone.locator("h1")).to_have_text("Rockets on al-Dabbeet hospital")
    expect(phone.locator(".badges .badge").first).to_have_text("غير متحقق منه")
    expect(phone.locator("main")).to_contain_text("3")
    expect(phone.locator("main")).not_to_contain_text("Aleppo health directorate")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert not errors, f"errors in the browser console: {errors}"
