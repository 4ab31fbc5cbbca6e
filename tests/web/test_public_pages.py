"""The public pages: the report form without JavaScript, receipts and additions, published incidents."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.evidence.models import Evidence, ReportEvidence
from ceasefire.identity.crypto import FernetCipher
from ceasefire.incidents import service as incidents
from ceasefire.intake.models import Message, Report
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.claims import Publication
from ceasefire.settings import Settings
from tests.conftest import TEST_KEY
from tests.factories import make_incident, make_report, make_user, report_claim, token_for
from tests.web.conftest import csrf_token, page_text


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG image (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def form(token: str, **overrides: str) -> dict[str, str]:
    """A valid report form as a browser posts it."""
    data = {
        "csrf_token": token,
        "occurred_date": "2016-03-05",
        "occurred_time": "15:00",
        "time_precision": "day",
        "location_text": "Jobar, near the Tayba mosque",
        "location_precision": "town",
        "act_category": "shelling",
        "event_type": "explosions_remote_violence",
        "perpetrator_text": "government artillery",
        "target_text": "a bakery queue",
        "killed_min": "2",
        "killed_max": "4",
        "injured_min": "",
        "injured_max": "",
        "women_killed_min": "",
        "children_killed_min": "1",
        "narrative": "Three shells fell on the queue outside the bakery at three in the afternoon.",
        "submitter_name": "Abu Khaled",
        "contact": "+963 944 000 111",
        "website": "",
    }
    return data | overrides


def counts(session: Session) -> tuple[int, int, int]:
    """(messages, reports, evidence items) stored."""
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Message)) or 0,
        session.scalar(select(func.count()).select_from(Report)) or 0,
        session.scalar(select(func.count()).select_from(Evidence)) or 0,
    )


def submit(web: TestClient, **overrides: Any) -> str:
    """Send a valid report through the page; the reference code it shows."""
    files = overrides.pop("files", None)
    response = web.post("/report", data=form(csrf_token(web, "/report"), **overrides), files=files)
    assert response.status_code == 303, page_text(response)
    location = response.headers["location"]
    assert location.startswith("/report/sent/CF-")
    return location.rsplit("/", 1)[1]


def test_the_form_works_without_javascript_and_stores_a_web_form_report(
    web: TestClient, session: Session
) -> None:
    page = web.get("/report")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'method="post"' in page.text
    assert 'rel="alternate"' in page.text
    code = submit(web, files=[("files", ("bakery.png", png(), "image/png"))])

    message = session.scalars(select(Message).where(Message.reference_code == code)).one()
    assert message.channel == "web_form"
    assert message.language == "en"
    # The contact is kept only encrypted, and decrypts to what was typed.
    assert message.contact_encrypted is not None
    assert b"944 000 111" not in message.contact_encrypted
    assert FernetCipher([TEST_KEY]).decrypt(message.contact_encrypted) == "+963 944 000 111"
    assert "944" not in str(message.payload)
    report = session.scalars(select(Report).where(Report.message_id == message.id)).one()
    assert (report.act_category, report.time_precision) == ("shelling", "exact")
    assert report.location_text == "Jobar, near the Tayba mosque"
    assert (report.killed_min, report.killed_max, report.children_killed_min) == (2, 4, 1)
    assert report.source_name == "Abu Khaled"
    # 15:00 in Damascus (UTC+2 in March 2016).
    assert report.occurred_at.isoformat().startswith("2016-03-05T13:00")
    [item] = session.scalars(select(Evidence).where(Evidence.message_id == message.id)).all()
    assert (item.media_type, item.original_filename) == ("image/png", "bakery.png")
    assert session.scalar(select(ReportEvidence).where(ReportEvidence.report_lineage_id == report.lineage_id))


def test_the_receipt_shows_the_code_and_the_code_can_be_followed(web: TestClient) -> None:
    code = submit(web)
    sent = web.get(f"/report/sent/{code}")
    assert sent.status_code == 200
    assert code in page_text(sent)
    assert "Keep this code safe" in page_text(sent)
    assert sent.headers["cache-control"] == "no-store"
    assert f'href="/api/v1/public/receipts/{code}"' in sent.text
    # Typed in lower case with spaces, the code still finds the report.
    typed = web.get("/receipt", params={"code": " " + code.lower().replace("-", " ")})
    assert typed.status_code == 303
    assert typed.headers["location"] == f"/receipt/{code}"
    follow = web.get(f"/receipt/{code}")
    assert follow.status_code == 200
    assert "Received" in page_text(follow)
    assert web.get(f"/api/v1/public/receipts/{code}").json()["status"] == "received"


def test_unknown_and_malformed_codes_get_the_same_404(web: TestClient) -> None:
    answers = [
        web.get("/receipt/CF-2222-2222"),
        web.get("/receipt?code=CF-2222-2223", follow_redirects=True),
        web.get("/receipt?code=not-a-code"),
        web.get("/report/sent/CF-2222-2222"),
    ]
    assert [a.status_code for a in answers] == [404] * 4
    texts = {page_text(a).replace("CF-2222-2223", "CODE").replace("not-a-code", "CODE") for a in answers}
    assert all("No report has this reference code" in t for t in texts)


def test_information_added_by_code_is_a_new_message_analysts_see_with_the_report(
    web: TestClient, session: Session, client: TestClient
) -> None:
    code = submit(web)
    original = session.scalars(select(Message).where(Message.reference_code == code)).one()
    token = csrf_token(web, f"/receipt/{code}")
    response = web.post(
        f"/receipt/{code}",
        data={"csrf_token": token, "body": "Two of the injured died in hospital tonight.", "website": ""},
        files=[("files", ("hospital.png", png(3, 3), "image/png"))],
    )
    assert response.status_code == 303, page_text(response)
    assert response.headers["location"].startswith(f"/receipt/{code}?added=1")
    assert "Your information was added" in page_text(web.get(response.headers["location"]))

    addition = session.scalars(select(Message).where(Message.adds_to_message_id == original.id)).one()
    assert addition.channel == "web_form"
    assert addition.body == "Two of the injured died in hospital tonight."
    assert addition.reference_code != code
    # The original is untouched; the file is kept with the addition and cited by the report.
    report = session.scalars(select(Report).where(Report.message_id == original.id)).one()
    [item] = session.scalars(select(Evidence).where(Evidence.message_id == addition.id)).all()
    cited = session.scalars(
        select(ReportEvidence.evidence_id).where(ReportEvidence.report_lineage_id == report.lineage_id)
    ).all()
    assert item.id in cited

    analyst = {"Authorization": f"Bearer {token_for(session, make_user(session, role='analyst'))}"}
    read = client.get(f"/api/v1/messages/{original.id}", headers=analyst).json()
    assert read["addition_ids"] == [addition.id]
    assert client.get(f"/api/v1/reports/{report.id}", headers=analyst).json()["addition_ids"] == [addition.id]
    added = client.get(f"/api/v1/messages/{addition.id}", headers=analyst).json()
    assert added["adds_to_message_id"] == original.id
    # The addition's own code leads back to the report it adds to.
    assert client.get(f"/api/v1/public/receipts/{addition.reference_code}").json()["reference_code"] == code


def test_the_api_takes_additions_and_answers_an_unknown_code_like_the_receipt(
    client: TestClient, web: TestClient, session: Session
) -> None:
    code = submit(web)
    added = client.post(f"/api/v1/public/receipts/{code}/additions", json={"body": "More shells at 18:00."})
    assert added.status_code == 201, added.text
    assert added.json()["reference_code"] == code
    unknown = client.post("/api/v1/public/receipts/CF-2222-2222/additions", json={"body": "x"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "receipt_not_found"
    assert client.get("/api/v1/public/receipts/CF-2222-2222").json() == {"error": {**unknown.json()["error"]}}
    empty = client.post(f"/api/v1/public/receipts/{code}/additions", json={})
    assert empty.status_code == 422


def test_an_addition_needs_text_or_a_file_and_keeps_what_was_typed(web: TestClient, session: Session) -> None:
    code = submit(web)
    before = counts(session)
    token = csrf_token(web, f"/receipt/{code}")
    empty = web.post(f"/receipt/{code}", data={"csrf_token": token, "body": "  "})
    assert empty.status_code == 422
    assert "Write what you want to add" in page_text(empty)
    wrong = web.post(
        f"/receipt/{code}",
        data={"csrf_token": token, "body": "The video of the strike"},
        files=[("files", ("strike.exe", b"MZ\x90\x00\x03" + b"\x00" * 200, "video/mp4"))],
    )
    assert wrong.status_code == 422
    assert "not a kind of file we accept" in page_text(wrong)
    assert "The video of the strike" in wrong.text
    assert counts(session) == before


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(web: TestClient, session: Session) -> None:
    page = web.get("/report")
    assert 'class="honeypot"' in page.text
    assert 'tabindex="-1"' in page.text
    assert 'autocomplete="off"' in page.text
    before = counts(session)
    response = web.post(
        "/report",
        data=form(csrf_token(web, "/report"), website="http://spam.example"),
        files=[("files", ("a.png", png(), "image/png"))],
    )
    assert response.status_code == 400
    assert counts(session) == before
    code = submit(web)
    before = counts(session)
    token = csrf_token(web, f"/receipt/{code}")
    refused = web.post(f"/receipt/{code}", data={"csrf_token": token, "body": "buy now", "website": "x"})
    assert refused.status_code == 400
    assert counts(session) == before


def test_a_post_without_a_valid_csrf_token_is_refused(web: TestClient, session: Session) -> None:
    csrf_token(web, "/report")
    before = counts(session)
    for token in ("", "forged"):
        assert web.post("/report", data=form(token)).status_code == 403
    response = web.post(
        "/report", data=form(csrf_token(web, "/report")), headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert counts(session) == before


def test_validation_errors_show_next_to_the_fields_and_keep_what_was_typed(
    web: TestClient, session: Session
) -> None:
    before = counts(session)
    response = web.post(
        "/report",
        data=form(
            csrf_token(web, "/report"),
            occurred_date="",
            killed_min="five",
            location_text="Douma, by the market",
            narrative="Barrel bombs on the market.",
        ),
        files=[("files", ("market.png", png(), "image/png"))],
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Give the date it happened" in text
    assert "Write a whole number" in text
    assert 'id="occurred_date-error"' in response.text
    assert 'aria-describedby="occurred_date-error"' in response.text
    # What was typed is still there, and the sender is told to choose the files again.
    assert 'value="Douma, by the market"' in response.text
    assert "Barrel bombs on the market." in response.text
    assert 'value="+963 944 000 111"' in response.text
    assert "Please choose them again" in text
    assert counts(session) == before


def test_a_claim_the_domain_refuses_is_shown_on_the_form_and_nothing_is_stored(
    web: TestClient, session: Session
) -> None:
    before = counts(session)
    response = web.post(
        "/report",
        data=form(csrf_token(web, "/report"), killed_min="5", killed_max="2"),
        files=[("files", ("a.png", png(), "image/png"))],
    )
    assert response.status_code == 422
    assert "may not be smaller than the first" in page_text(response)
    future = web.post("/report", data=form(csrf_token(web, "/report"), occurred_date="2999-01-01"))
    assert future.status_code == 422
    assert "in the future" in page_text(future)
    assert counts(session) == before


def test_upload_type_and_size_limits_give_a_clear_error_and_store_nothing(
    web: TestClient, session: Session, settings: Settings
) -> None:
    before = counts(session)
    token = csrf_token(web, "/report")
    script = web.post(
        "/report",
        data=form(token),
        files=[("files", ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 120, "image/jpeg"))],
    )
    assert script.status_code == 422
    assert "“photo.jpg” is not a kind of file we accept" in page_text(script)
    big = png() + b"\x00" * settings.max_evidence_bytes
    large = web.post("/report", data=form(token), files=[("files", ("big.png", big, "image/png"))])
    assert large.status_code == 422
    assert "“big.png” is too large: each file may be at most 0.2 MB" in page_text(large)
    many = [("files", (f"p{i}.png", png(), "image/png")) for i in range(6)]
    too_many = web.post("/report", data=form(token), files=many)
    assert too_many.status_code == 422
    assert "at most 5 files" in page_text(too_many)
    assert counts(session) == before


def _app_with(settings: Settings, engine: object, session: Session, **limits: str) -> FastAPI:
    from ceasefire.api.deps import get_session
    from ceasefire.app import create_app

    app = create_app(settings.model_copy(update=limits), engine=engine)  # type: ignore[arg-type]

    def shared() -> Iterator[Session]:
        yield session
        session.commit()

    app.dependency_overrides[get_session] = shared
    return app


def test_reports_from_one_address_are_rate_limited(
    engine: object, session: Session, settings: Settings
) -> None:
    app = _app_with(settings, engine, session, public_report_rate_limit="2/minute")
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as web:
        token = csrf_token(web, "/report")
        statuses = [web.post("/report", data=form(token)).status_code for _ in range(3)]
        assert statuses == [303, 303, 429]
        refused = web.post("/report", data=form(token))
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert "Too many requests" in page_text(refused)
        # The public API shares the limit.
        api = web.post("/api/v1/public/reports", json=report_claim())
        assert api.status_code == 429


def test_codes_cannot_be_guessed_lookups_are_rate_limited(
    engine: object, session: Session, settings: Settings
) -> None:
    app = _app_with(settings, engine, session, receipt_rate_limit="3/minute")
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as web:
        statuses = [web.get(f"/receipt/CF-2222-222{i}").status_code for i in range(3)]
        assert statuses == [404, 404, 404]
        assert web.get("/receipt/CF-2222-2229").status_code == 429
        assert web.get("/api/v1/public/receipts/CF-2222-2229").status_code == 429
        assert (
            web.post("/api/v1/public/receipts/CF-2222-2229/additions", json={"body": "x"}).status_code == 429
        )


def test_the_arabic_form_is_right_to_left_and_translated(web: TestClient) -> None:
    page = web.get("/report?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    text = page_text(page)
    assert "الإبلاغ عن انتهاك" in text
    assert "متى حدث ذلك؟" in text
    assert "Report a violation" not in text
    assert "When did it happen?" not in text
    russian = page_text(web.get("/report?lang=ru"))
    assert "Сообщить о нарушении" in russian
    assert "When did it happen?" not in russian


@pytest.mark.parametrize("lang", ["ar", "ru"])
def test_every_public_page_is_translated(web: TestClient, session: Session, lang: str) -> None:
    code = submit(web)
    incident = make_incident(session, title="Shelling of Jobar")
    incidents.set_publication(session, incident_id=incident.id, level=Publication.PUBLIC, actor=SYSTEM)
    session.commit()
    english = (
        "How to report a violation",
        "Report a violation",
        "Keep this code safe",
        "Follow your report",
        "Add information",
        "Published incidents",
        "What was claimed",
        "Staff sign-in",
        "Every item shown is a claim",
        "There is nothing at this address",
    )
    for path in (
        "/",
        "/report",
        f"/report/sent/{code}",
        f"/receipt/{code}",
        "/receipt",
        "/published",
        f"/published/{incident.id}",
        "/login",
        "/no-such-page",
    ):
        text = page_text(web.get(path, params={"lang": lang}))
        left = [phrase for phrase in english if phrase in text]
        assert left == [], (path, left)


def test_published_pages_show_only_public_incidents(web: TestClient, session: Session) -> None:
    public = make_incident(session, title="Rockets on al-Dabbeet hospital")
    incidents.set_publication(session, incident_id=public.id, level=Publication.PUBLIC, actor=SYSTEM)
    parties_only = make_incident(session, title="Shelling seen by the parties only")
    incidents.set_publication(session, incident_id=parties_only.id, level=Publication.PARTIES, actor=SYSTEM)
    internal = make_incident(session, title="Internal shelling")
    session.commit()

    listing = web.get("/published")
    assert listing.status_code == 200
    text = page_text(listing)
    assert "Rockets on al-Dabbeet hospital" in text
    assert "parties only" not in text
    assert "Internal shelling" not in text
    assert 'class="badge grade-' in listing.text
    assert 'href="/api/v1/public/incidents?page=1' in listing.text

    page = web.get(f"/published/{public.id}")
    assert page.status_code == 200
    assert "Rockets on al-Dabbeet hospital" in page_text(page)
    assert f'href="/api/v1/public/incidents/{public.id}"' in page.text
    assert "Test source" not in page.text  # never who reported
    for hidden in (parties_only, internal):
        refused = web.get(f"/published/{hidden.id}")
        assert refused.status_code == 404
        assert page_text(refused) == page_text(web.get("/published/no-such-incident"))


def test_the_receipt_links_the_published_incident(web: TestClient, session: Session) -> None:
    code = submit(web)
    report = session.scalars(
        select(Report).join(Message, Message.id == Report.message_id).where(Message.reference_code == code)
    ).one()
    incident = incidents.open_incident(session, report_ids=[report.id], title="Bakery queue", actor=SYSTEM)
    grouped = page_text(web.get(f"/receipt/{code}"))
    assert "Being examined" in grouped
    incidents.set_publication(session, incident_id=incident.id, level=Publication.PUBLIC, actor=SYSTEM)
    session.commit()
    page = web.get(f"/receipt/{code}")
    assert "Published" in page_text(page)
    assert f'href="/published/{incident.id}"' in page.text


def test_the_public_pages_carry_no_inline_script_or_style(web: TestClient) -> None:
    code = submit(web)
    for path in ("/report", f"/report/sent/{code}", f"/receipt/{code}", "/receipt", "/published"):
        text = web.get(path).text
        assert "<script>" not in text
        assert "<style" not in text
        assert " style=" not in text
        assert " onclick=" not in text
        assert " onsubmit=" not in text
    assert web.get("/static/js/report.js").status_code == 200
    assert web.get("/static/css/public.css").status_code == 200


def test_an_existing_report_is_cited_once_per_file(web: TestClient, session: Session) -> None:
    make_report(session)  # the other reports do not get the files
    code = submit(
        web, files=[("files", ("a.png", png(), "image/png")), ("files", ("b.png", png(4, 4), "image/png"))]
    )
    message = session.scalars(select(Message).where(Message.reference_code == code)).one()
    assert len(session.scalars(select(Evidence).where(Evidence.message_id == message.id)).all()) == 2
    assert session.scalar(select(func.count()).select_from(ReportEvidence)) == 2
