"""Evidence API: uploads typed by their bytes, size limits, fixity on read, custody, visibility."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.evidence.models import Evidence
from ceasefire.evidence.store import EvidenceStore
from ceasefire.identity.models import User
from tests.evidence_data import (
    CAPTURED_ISO,
    ELF,
    HTML,
    TOMORROW_ISO,
    make_message,
    make_report,
    png,
    png_of_size,
    stored_files,
    tamper,
)
from tests.factories import make_party, make_user, token_for

Headers = dict[str, str]
LIMIT = 256 * 1024  # max_evidence_bytes of the test settings


@pytest.fixture
def store(app: FastAPI) -> EvidenceStore:
    evidence_store: EvidenceStore = app.state.evidence_store
    return evidence_store


def _upload(
    client: TestClient,
    headers: Headers,
    content: bytes = b"",
    *,
    name: str = "strike.png",
    declared: str = "image/png",
    **fields: str,
) -> Any:
    data = {"collector": "field team", "captured_at": CAPTURED_ISO, **fields}
    return client.post(
        "/api/v1/evidence", data=data, files={"file": (name, content or png(), declared)}, headers=headers
    )


def _rep(session: Session) -> tuple[User, Headers]:
    party = make_party(session)
    user = make_user(session, role="party_representative", party_id=party.id)
    return user, {"Authorization": f"Bearer {token_for(session, user)}"}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Evidence)) or 0


def test_a_png_is_stored_typed_and_logged(client: TestClient, analyst: Headers) -> None:
    # Browsers send empty optional fields as empty strings: they mean "not given".
    response = _upload(client, analyst, description="crater after the strike", message_id="", report_id=" ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["message_id"], body["description"]) == (None, "crater after the strike")
    assert body["sha256"] == hashlib.sha256(png()).hexdigest()
    assert (body["kind"], body["media_type"], body["type_mismatch"]) == ("file", "image/png", False)
    assert body["original_filename"] == "strike.png"
    assert body["captured_at"].startswith("2016-05-03T14:30")
    assert [e["action"] for e in body["custody"]] == ["received", "stored"]
    assert body["fixity"]["ok"] is True


def test_content_is_served_as_a_download_with_its_sniffed_type(client: TestClient, analyst: Headers) -> None:
    created = _upload(client, analyst, name="../../a photo.png", declared="image/jpeg").json()
    assert created["declared_media_type"] == "image/jpeg"
    assert created["type_mismatch"] is True
    assert created["original_filename"] == "a photo.png"
    response = client.get(f"/api/v1/evidence/{created['id']}/content", headers=analyst)
    assert response.status_code == 200
    assert response.content == png()
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith('attachment; filename="a photo.png"')
    custody = client.get(f"/api/v1/evidence/{created['id']}", headers=analyst).json()["custody"]
    assert [e["action"] for e in custody] == ["received", "stored", "viewed"]
    assert custody[-1]["fixity_ok"] is True


def test_the_same_bytes_twice_are_stored_once(
    client: TestClient, analyst: Headers, store: EvidenceStore, session: Session
) -> None:
    first = _upload(client, analyst, collector="team A").json()
    second = _upload(client, analyst, collector="team B").json()
    assert first["id"] != second["id"]
    assert first["sha256"] == second["sha256"]
    assert len(stored_files(store.root)) == 1
    assert _count(session) == 2


def test_a_tampered_file_gets_409_is_logged_and_survives_a_reupload(
    client: TestClient, analyst: Headers, store: EvidenceStore
) -> None:
    created = _upload(client, analyst).json()
    tamper(store, created["sha256"])
    refused = client.get(f"/api/v1/evidence/{created['id']}/content", headers=analyst)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "fixity_failed"
    assert "altered" not in refused.text
    shown = client.get(f"/api/v1/evidence/{created['id']}", headers=analyst).json()
    assert shown["fixity"]["ok"] is False
    assert [e["action"] for e in shown["custody"]] == ["received", "stored", "fixity_failed"]
    again = _upload(client, analyst)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "stored_file_corrupt"
    assert store.path(created["sha256"]).read_bytes() == b"altered bytes"


def test_empty_and_oversized_files_are_refused(
    client: TestClient, analyst: Headers, session: Session
) -> None:
    empty = client.post(
        "/api/v1/evidence",
        data={"collector": "x", "captured_at": CAPTURED_ISO},
        files={"file": ("empty.png", b"", "image/png")},
        headers=analyst,
    )
    assert empty.status_code == 422
    assert (empty.json()["error"]["code"], empty.json()["error"]["field"]) == ("empty_file", "file")
    over = _upload(client, analyst, png_of_size(LIMIT + 1))
    assert over.status_code == 413
    assert over.json()["error"]["code"] == "too_large"
    assert over.json()["error"]["details"]["limit"] == LIMIT
    huge = _upload(client, analyst, png_of_size(4 * LIMIT))
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "too_large"
    assert _count(session) == 0
    at_limit = _upload(client, analyst, png_of_size(LIMIT))
    assert at_limit.status_code == 201, at_limit.text
    assert at_limit.json()["size_bytes"] == LIMIT


def test_other_routes_keep_the_small_body_limit(client: TestClient, as_role: Callable[..., Headers]) -> None:
    big = b'{"username": "' + b"a" * (70 * 1024) + b'"}'
    headers = {**as_role("admin"), "Content-Type": "application/json"}
    assert client.post("/api/v1/users", content=big, headers=headers).status_code == 413


@pytest.mark.parametrize(("content", "name"), [(ELF, "photo.jpg"), (HTML, "photo.jpg")])
def test_executables_and_html_declared_as_jpeg_are_refused(
    client: TestClient, analyst: Headers, store: EvidenceStore, content: bytes, name: str
) -> None:
    response = _upload(client, analyst, content, name=name, declared="image/jpeg")
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("unsupported_type", "file")
    assert stored_files(store.root) == []


@pytest.mark.parametrize(
    ("captured_at", "code"),
    [(TOMORROW_ISO, "future_datetime"), ("2016-05-03T14:30:00", "naive_datetime"), ("yesterday", "invalid")],
    ids=["future", "naive", "not-a-time"],
)
def test_capture_times_must_be_aware_and_past(
    client: TestClient, analyst: Headers, session: Session, captured_at: str, code: str
) -> None:
    response = _upload(client, analyst, captured_at=captured_at)
    assert response.status_code == 422
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, "captured_at")
    assert _count(session) == 0


def test_unknown_fields_and_missing_files_name_the_field(client: TestClient, analyst: Headers) -> None:
    extra = _upload(client, analyst, colour="red")
    assert (extra.status_code, extra.json()["error"]["field"]) == (422, "colour")
    no_file = client.post(
        "/api/v1/evidence", data={"collector": "x", "captured_at": CAPTURED_ISO}, headers=analyst
    )
    assert (no_file.status_code, no_file.json()["error"]["field"]) == (422, "file")
    as_json = client.post("/api/v1/evidence", json={"collector": "x"}, headers=analyst)
    assert as_json.status_code == 422


def test_url_references_accept_only_http_and_https(client: TestClient, analyst: Headers) -> None:
    payload = {"url": "https://example.org/video/1", "collector": "monitor", "captured_at": CAPTURED_ISO}
    created = client.post("/api/v1/evidence/urls", json=payload, headers=analyst)
    assert created.status_code == 201, created.text
    assert (created.json()["kind"], created.json()["source_url"]) == ("url", payload["url"])
    assert [e["action"] for e in created.json()["custody"]] == ["received"]
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x"):
        refused = client.post("/api/v1/evidence/urls", json={**payload, "url": bad}, headers=analyst)
        assert refused.status_code == 422
        assert refused.json()["error"]["field"] == "url"
    future = client.post(
        "/api/v1/evidence/urls", json={**payload, "captured_at": TOMORROW_ISO}, headers=analyst
    )
    assert future.status_code == 422
    no_content = client.get(f"/api/v1/evidence/{created.json()['id']}/content", headers=analyst)
    assert no_content.status_code == 404


def test_a_party_representative_cannot_see_another_partys_evidence(
    client: TestClient, session: Session, analyst: Headers
) -> None:
    _, rep_a = _rep(session)
    _, rep_b = _rep(session)
    created = _upload(client, rep_a)
    assert created.status_code == 201, created.text
    evidence_id = created.json()["id"]
    assert client.get(f"/api/v1/evidence/{evidence_id}", headers=rep_a).status_code == 200
    assert client.get(f"/api/v1/evidence/{evidence_id}", headers=analyst).status_code == 200
    for path in (f"/api/v1/evidence/{evidence_id}", f"/api/v1/evidence/{evidence_id}/content"):
        hidden = client.get(path, headers=rep_b)
        absent = client.get(path.replace(evidence_id, "no-such-evidence"), headers=rep_b)
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json()["error"]["code"] == absent.json()["error"]["code"]


def test_reports_cite_evidence_within_what_the_actor_sees(
    client: TestClient, session: Session, analyst: Headers
) -> None:
    user_a, rep_a = _rep(session)
    user_b, rep_b = _rep(session)
    report_a = make_report(session, message=make_message(session, user=user_a))
    report_b = make_report(session, message=make_message(session, user=user_b))
    evidence_id = _upload(client, rep_a).json()["id"]
    linked = client.post(
        f"/api/v1/reports/{report_a.id}/evidence", json={"evidence_id": evidence_id}, headers=rep_a
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["report_lineage_id"] == report_a.lineage_id
    twice = client.post(
        f"/api/v1/reports/{report_a.id}/evidence", json={"evidence_id": evidence_id}, headers=rep_a
    )
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_linked")
    other = client.post(
        f"/api/v1/reports/{report_b.id}/evidence", json={"evidence_id": evidence_id}, headers=rep_a
    )
    assert (other.status_code, other.json()["error"]["field"]) == (404, "report_id")
    listed = client.get(f"/api/v1/reports/{report_a.id}/evidence", headers=rep_a)
    assert [e["id"] for e in listed.json()] == [evidence_id]
    assert client.get(f"/api/v1/reports/{report_a.id}/evidence", headers=rep_b).status_code == 404
    assert client.get(f"/api/v1/reports/{report_a.id}/evidence", headers=analyst).status_code == 200
    shown = client.get(f"/api/v1/evidence/{evidence_id}", headers=rep_a).json()
    assert shown["report_lineage_ids"] == [report_a.lineage_id]
    assert [e["action"] for e in shown["custody"]] == ["received", "stored", "linked"]


def test_upload_with_a_message_of_another_party_is_404(client: TestClient, session: Session) -> None:
    user_b, _ = _rep(session)
    _, rep_a = _rep(session)
    message_b = make_message(session, user=user_b)
    response = _upload(client, rep_a, message_id=message_b.id)
    assert (response.status_code, response.json()["error"]["field"]) == (404, "message_id")
    assert _count(session) == 0


def test_evidence_routes_need_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/evidence/x").status_code == 401
    assert _upload(client, {}).status_code == 401
