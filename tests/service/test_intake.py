"""Intake use cases on the database: submissions, resolution, versions, withdrawals, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.identity import service as identity
from ceasefire.identity.crypto import FernetCipher
from ceasefire.intake import rules, service, submission
from ceasefire.intake.models import Message, Report
from ceasefire.intake.schemas import MessageCreate, ReportClaim, ReportSubmission
from ceasefire.kernel.actor import PUBLIC, Actor
from ceasefire.kernel.claims import ReportState
from ceasefire.kernel.clock import FixedClock
from ceasefire.kernel.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ceasefire.kernel.paging import PageRequest
from tests.conftest import TEST_KEY
from tests.factories import make_message, make_party, make_place, make_report, make_user, report_claim
from tests.parties_data import NUSRA

CIPHER = FernetCipher([TEST_KEY])


def _actor(session: Session, role: str, **overrides: Any) -> Actor:
    return identity.actor_for(make_user(session, role=role, **overrides), via="api")


def _audit(session: Session, action: str, entity_id: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity_id == entity_id)
    return list(session.scalars(query))


def _submission(**overrides: Any) -> ReportSubmission:
    return ReportSubmission(**report_claim(**overrides))


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_submission_stores_the_message_as_received_and_version_one_of_its_report(session: Session) -> None:
    analyst = _actor(session, "analyst")
    report = service.submit_report(
        session,
        data=_submission(submitter_name="Field office", body="Shelling on Jobar", time_precision="day"),
        actor=analyst,
        cipher=CIPHER,
    )
    assert (report.version, report.lineage_id, report.supersedes_id) == (1, report.id, None)
    assert report.occurred_start == datetime(2016, 3, 4, 22, 0, tzinfo=UTC)  # 5 March in Damascus
    assert report.occurred_end == datetime(2016, 3, 5, 22, 0, tzinfo=UTC)
    assert (report.killed_min, report.killed_max, report.injured_min) == (2, 3, None)
    message = session.get(Message, report.message_id)
    assert message is not None
    assert (message.channel, message.body, message.submitted_by_user_id) == (
        "api",
        "Shelling on Jobar",
        analyst.id,
    )
    assert message.payload["act_category"] == "shelling"
    assert message.reference_code.startswith("CF-")
    assert service.report_state(session, report) is ReportState.CURRENT
    assert [e.actor for e in _audit(session, "message.create", message.id)] == [analyst.username]
    assert _audit(session, "report.create", report.id)[0].changes["act_category"] == "shelling"


def test_named_parties_resolve_only_when_the_name_is_certain_and_the_text_is_always_kept(
    session: Session,
) -> None:
    make_party(session, **NUSRA)
    make_party(session, name="Army of Conquest", kind="coalition")
    make_party(session, name="Army of Islam", kind="non_state_armed_group")
    report = make_report(
        session,
        perpetrator_text="Nusra Front",
        target_text="Army of Conquest",
        source_name="Army of Islam",
        occurred_at="2016-03-05T15:00:00+02:00",
    )
    assert (report.perpetrator_party_id, report.perpetrator_text) == ("jabhat-al-nusra", "Nusra Front")
    assert report.target_party_id == "army-of-conquest"
    assert (report.source_party_id, report.source_name) == ("army-of-islam", "Army of Islam")
    vague = make_report(session, perpetrator_text="the Army", target_text="unknown gunmen")
    assert (vague.perpetrator_party_id, vague.perpetrator_text) == (None, "the Army")
    assert vague.target_party_id is None


def test_an_unknown_party_id_or_place_id_is_a_404_naming_the_field_and_nothing_is_stored(
    session: Session,
) -> None:
    before = _count(session, Message)
    for change, field in (
        ({"perpetrator_party_id": "no-such-party"}, "perpetrator_party_id"),
        ({"place_id": "no-such-place"}, "place_id"),
        ({"source_party_id": "no-such-party", "source_name": None}, "source_party_id"),
    ):
        with pytest.raises(NotFound) as caught:
            make_report(session, **change)
        assert caught.value.field == field
    assert _count(session, Message) == before


def test_places_by_id_give_coordinates_and_a_lone_exact_name_resolves(session: Session) -> None:
    make_place(
        session, id="test-jobar", name="Jobar Test", kind="neighbourhood", latitude=33.53, longitude=36.33
    )
    by_id = make_report(session, place_id="test-jobar", location_text=None)
    assert (by_id.latitude, by_id.longitude, by_id.location_precision) == (33.53, 36.33, "town")
    by_name = make_report(session, location_text="jobar test")
    assert (by_name.place_id, by_name.latitude, by_name.location_text) == ("test-jobar", 33.53, "jobar test")
    make_place(session, id="test-jobar-2", name="Jobar Test", kind="village", latitude=35.0, longitude=37.0)
    ambiguous = make_report(session, location_text="Jobar Test", location_precision="district")
    assert (ambiguous.place_id, ambiguous.latitude, ambiguous.location_precision) == (None, None, "district")
    point = make_report(session, location_text=None, latitude=36.2, longitude=37.1)
    assert (point.place_id, point.location_precision) == (None, "exact_point")


def test_future_and_naive_times_are_refused(session: Session) -> None:
    clock = FixedClock(datetime(2016, 3, 10, tzinfo=UTC))
    with pytest.raises(Invalid) as future:
        service.submit_report(
            session,
            data=_submission(occurred_at="2016-03-11T10:00:00+02:00"),
            actor=PUBLIC,
            cipher=CIPHER,
            clock=clock,
        )
    assert (future.value.code, future.value.field) == ("in_future", "occurred_at")
    with pytest.raises(Invalid) as naive:
        make_report(session, occurred_at="2016-03-05T15:00:00")
    assert (naive.value.code, naive.value.field) == ("naive_datetime", "occurred_at")


def test_a_correction_is_a_new_row_and_the_old_row_is_unchanged(session: Session) -> None:
    observer = _actor(session, "observer")
    first = make_report(session, actor=observer, killed_min=2, killed_max=3, narrative="first account")
    snapshot = {c.key: getattr(first, c.key) for c in Report.__table__.columns}
    claim = ReportClaim(**report_claim(killed_min=4, killed_max=6, narrative="second account"))
    second = service.correct_report(
        session, report_id=first.id, data=claim, note="more casualties found", actor=observer
    )
    assert (second.version, second.lineage_id, second.supersedes_id) == (2, first.id, first.id)
    assert second.correction_note == "more casualties found"
    session.expire_all()
    reloaded = session.get(Report, first.id)
    assert reloaded is not None
    assert {c.key: getattr(reloaded, c.key) for c in Report.__table__.columns} == snapshot
    assert service.report_state(session, reloaded) is ReportState.SUPERSEDED
    assert service.get_report(session, report_id=first.id, actor=observer).id == second.id
    [entry] = _audit(session, "report.correct", first.id)
    assert entry.changes["changed"]["killed_max"] == [3, 6]
    assert entry.reason == "more casualties found"
    stale = ReportClaim(**report_claim())
    with pytest.raises(Conflict) as conflict:
        service.correct_report(
            session, report_id=first.id, data=stale, note="late", actor=observer, expected_version=1
        )
    assert conflict.value.code == "version_conflict"
    third = service.correct_report(session, report_id=second.id, data=stale, note="again", actor=observer)
    assert third.version == 3
    # Correcting version 2 by its own id now would overwrite version 3 unseen: refused too.
    with pytest.raises(Conflict) as old_version:
        service.correct_report(session, report_id=second.id, data=stale, note="stale", actor=observer)
    assert (old_version.value.code, old_version.value.field) == ("version_conflict", "report_id")


def test_the_database_refuses_to_update_or_delete_a_report(session: Session) -> None:
    report = make_report(session)
    for statement in (
        "UPDATE report SET narrative = 'edited' WHERE id = :id",
        "DELETE FROM report WHERE id = :id",
    ):
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text(statement), {"id": report.id})
    session.expire_all()
    assert session.get(Report, report.id) is not None


def test_a_withdrawn_report_stays_marked_withdrawn_with_every_version(session: Session) -> None:
    observer = _actor(session, "observer")
    first = make_report(session, actor=observer)
    second = service.correct_report(
        session,
        report_id=first.id,
        data=ReportClaim(**report_claim(killed_min=9, killed_max=None)),
        note="fix",
        actor=observer,
    )
    withdrawal = service.withdraw_report(
        session, report_id=second.id, reason="duplicate of a call", actor=observer
    )
    assert withdrawal.lineage_id == first.id
    versions = service.report_versions(session, report_id=first.id, actor=observer)
    assert versions.state is ReportState.WITHDRAWN
    assert [(v.version, v.state) for v in versions.versions] == [
        (1, ReportState.SUPERSEDED),
        (2, ReportState.WITHDRAWN),
    ]
    assert versions.versions[-1].withdrawal_reason == "duplicate of a call"
    with pytest.raises(Conflict) as again:
        service.withdraw_report(session, report_id=first.id, reason="again", actor=observer)
    assert again.value.code == "already_withdrawn"
    with pytest.raises(Conflict) as corrected:
        service.correct_report(
            session, report_id=first.id, data=ReportClaim(**report_claim()), note="x", actor=observer
        )
    assert corrected.value.code == "report_withdrawn"
    assert _audit(session, "report.withdraw", first.id)[0].reason == "duplicate of a call"


def test_only_the_submitter_its_party_or_an_admin_may_withdraw(session: Session) -> None:
    party = make_party(session)
    rep = _actor(session, "party_representative", party_id=party.id)
    colleague = _actor(session, "party_representative", party_id=party.id)
    liaison = _actor(session, "liaison_officer")
    report = make_report(session, actor=rep)
    with pytest.raises(Forbidden):
        service.withdraw_report(session, report_id=report.id, reason="no", actor=liaison)
    with pytest.raises(NotFound):
        service.withdraw_report(session, report_id=report.id, reason="no", actor=_actor(session, "observer"))
    service.withdraw_report(session, report_id=report.id, reason="our error", actor=colleague)


def test_a_retried_submission_is_stored_once_and_a_different_one_under_the_same_key_is_refused(
    session: Session,
) -> None:
    observer = _actor(session, "observer")
    data = _submission(contact="+963 11 555 0101")
    first = service.accept_report(session, data=data, actor=observer, cipher=CIPHER, idempotency_key="k-1")
    again = service.accept_report(session, data=data, actor=observer, cipher=CIPHER, idempotency_key="k-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.item.id == first.item.id
    assert session.scalar(select(func.count()).where(Message.idempotency_key == "k-1")) == 1
    with pytest.raises(Conflict) as mismatch:
        service.accept_report(
            session, data=_submission(killed_min=7), actor=observer, cipher=CIPHER, idempotency_key="k-1"
        )
    assert mismatch.value.code == "idempotency_mismatch"
    message = MessageCreate(channel="sms", body="same key, other kind")  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        service.accept_message(session, data=message, actor=observer, cipher=CIPHER, idempotency_key="k-1")
    # Keys are per submitter: another user's k-1 is another submission.
    other = service.accept_report(
        session, data=data, actor=_actor(session, "observer"), cipher=CIPHER, idempotency_key="k-1"
    )
    assert not other.replayed
    assert other.item.id != first.item.id


def test_contact_details_are_encrypted_at_rest_and_every_view_is_audited(session: Session) -> None:
    observer = _actor(session, "observer")
    analyst = _actor(session, "analyst")
    message = make_message(session, actor=observer, cipher=CIPHER, contact="Abu Ahmad +963 944 000 111")
    raw = session.execute(
        text("SELECT contact_encrypted FROM message WHERE id = :id"), {"id": message.id}
    ).scalar()
    assert raw is not None
    assert b"963 944" not in bytes(raw)
    assert "Abu Ahmad" not in bytes(raw).decode("latin-1")
    read = service.read_message(session, message_id=message.id, actor=observer)
    assert read.has_contact
    assert "contact" not in read.model_dump()
    shown = service.view_contact(session, message_id=message.id, actor=analyst, cipher=CIPHER)
    assert shown.contact == "Abu Ahmad +963 944 000 111"
    [entry] = _audit(session, "message.view_contact", message.id)
    assert entry.actor == analyst.username
    with pytest.raises(Forbidden):
        service.view_contact(session, message_id=message.id, actor=observer, cipher=CIPHER)
    rep = _actor(session, "party_representative", party_id=make_party(session).id)
    with pytest.raises(NotFound):
        service.view_contact(session, message_id=message.id, actor=rep, cipher=CIPHER)
    assert len(_audit(session, "message.view_contact", message.id)) == 1


def test_a_party_representative_submits_for_its_own_party_only(session: Session) -> None:
    ours, theirs = make_party(session), make_party(session)
    rep = _actor(session, "party_representative", party_id=ours.id)
    report = make_report(session, actor=rep, source_name=None)
    message = session.get(Message, report.message_id)
    assert message is not None
    assert message.submitter_party_id == ours.id
    assert (report.source_party_id, report.source_name) == (ours.id, ours.name)
    with pytest.raises(Invalid) as by_id:
        make_report(session, actor=rep, source_party_id=theirs.id)
    assert (by_id.value.code, by_id.value.field) == ("not_your_party", "source_party_id")
    with pytest.raises(Invalid) as by_name:
        make_report(session, actor=rep, source_name=theirs.name)
    assert by_name.value.field == "source_name"


def test_the_public_cannot_speak_for_a_party_and_is_its_own_source(session: Session) -> None:
    party = make_party(session)
    report = make_report(session, actor=PUBLIC, source_name=None, submitter_name=None)
    assert (report.source_party_id, report.source_name) == (None, service.PUBLIC_SOURCE)
    named = make_report(session, actor=PUBLIC, source_name=party.name)
    assert (named.source_party_id, named.source_name) == (None, party.name)
    with pytest.raises(Invalid):
        make_report(session, actor=PUBLIC, source_party_id=party.id)


def test_party_representatives_see_only_their_partys_submissions(session: Session) -> None:
    party_a, party_b = make_party(session), make_party(session)
    rep_a = _actor(session, "party_representative", party_id=party_a.id)
    rep_b = _actor(session, "party_representative", party_id=party_b.id)
    report_b = make_report(session, actor=rep_b)
    own = make_report(session, actor=rep_a)
    for call in (
        lambda: service.get_report(session, report_id=report_b.id, actor=rep_a),
        lambda: service.get_message(session, message_id=report_b.message_id, actor=rep_a),
        lambda: service.report_versions(session, report_id=report_b.id, actor=rep_a),
    ):
        with pytest.raises(NotFound):
            call()
    listed = service.list_reports(session, actor=rep_a, page=PageRequest())
    assert [r.id for r in listed.items] == [own.id]


def test_an_analyst_derives_reports_from_a_raw_message(session: Session) -> None:
    party = make_party(session)
    rep = _actor(session, "party_representative", party_id=party.id)
    message = make_message(session, actor=rep, submitter_name="Liaison desk")
    analyst = _actor(session, "analyst")
    report = service.derive_report(
        session, message_id=message.id, data=ReportClaim(**report_claim(source_name=None)), actor=analyst
    )
    assert (report.message_id, report.source_party_id, report.created_by_user_id) == (
        message.id,
        party.id,
        analyst.id,
    )
    assert service.read_message(session, message_id=message.id, actor=rep).report_ids == [report.id]
    with pytest.raises(Forbidden):
        service.derive_report(session, message_id=message.id, data=ReportClaim(**report_claim()), actor=rep)
    with pytest.raises(DomainError):
        service.derive_report(
            session,
            message_id=message.id,
            data=ReportClaim(**report_claim(occurred_at="2099-01-01T00:00:00+00:00")),
            actor=analyst,
        )


def test_a_retry_racing_its_original_is_answered_with_the_original(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    observer = _actor(session, "observer")
    data = _submission()
    first = service.accept_report(session, data=data, actor=observer, cipher=CIPHER, idempotency_key="race")
    # The retry's first look finds nothing (the original was not committed yet when it looked) ...
    monkeypatch.setattr(submission, "_replay", lambda *args, **kwargs: None)
    again = service.accept_report(session, data=data, actor=observer, cipher=CIPHER, idempotency_key="race")
    # ... and its insert then meets the original's key: it answers with the original, storing nothing.
    assert again.replayed
    assert again.item.id == first.item.id
    assert session.scalar(select(func.count()).where(Message.idempotency_key == "race")) == 1
    with pytest.raises(Conflict):
        service.accept_report(
            session,
            data=_submission(killed_min=8, killed_max=None),
            actor=observer,
            cipher=CIPHER,
            idempotency_key="race",
        )


def test_a_reference_code_already_taken_is_drawn_again(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["CF-2222-2222", "CF-2222-2222", "CF-3333-3333"])
    monkeypatch.setattr(rules, "new_reference_code", lambda: next(codes))
    first, second = make_message(session), make_message(session)
    assert (first.reference_code, second.reference_code) == ("CF-2222-2222", "CF-3333-3333")
