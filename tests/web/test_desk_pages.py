"""The analyst's desk: the inbox and its bulk actions, messages, reports, incidents, access."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.determinations.models import Determination
from ceasefire.identity.models import User
from ceasefire.identity.service import actor_for
from ceasefire.incidents.models import Incident, IncidentReport
from ceasefire.intake.models import Report
from ceasefire.kernel.actor import Actor
from ceasefire.parties.models import Party
from tests.factories import make_agreement, make_incident, make_party, make_report, make_user, token_for
from tests.web.conftest import csrf_from, page_text

SignIn = Callable[..., User]


def _actor(session: Session, role: str = "analyst", **overrides: Any) -> Actor:
    return actor_for(make_user(session, role=role, **overrides), via="web")


def _opposing(session: Session, **claim: Any) -> tuple[Party, Party, Report, Report]:
    """Two parties accusing each other of the same shelling (worked case 1's shape)."""
    army = make_party(session, name="Desk Test Army", kind="state_forces")
    rebels = make_party(session, name="Desk Test Rebels", kind="non_state_armed_group")
    analyst = _actor(session)
    one = make_report(
        session,
        actor=analyst,
        source_party_id=rebels.id,
        source_name=None,
        perpetrator_party_id=army.id,
        narrative="The army shelled the market of Desktown.",
        **claim,
    )
    other = make_report(
        session,
        actor=analyst,
        source_party_id=army.id,
        source_name=None,
        stance="counter_accuses",
        perpetrator_party_id=rebels.id,
        narrative="Rebels fired first on the army post at Desktown.",
        **claim,
    )
    return army, rebels, one, other


def _count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_desk_needs_a_sign_in(web: TestClient) -> None:
    response = web.get("/desk?view=messages")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdesk%3Fview%3Dmessages"


def test_the_inbox_lists_and_filters_reports(web: TestClient, session: Session, sign_in: SignIn) -> None:
    sign_in("analyst")
    make_report(session, source_name="Inbox hotline caller", narrative="Mortars near the bakery")
    make_report(session, source_name="Inbox observer", act_category="air_strike", narrative="Jets overhead")
    session.commit()
    response = web.get("/desk")
    assert response.status_code == 200
    text = page_text(response)
    assert "Inbox hotline caller" in text
    assert "Inbox observer" in text
    assert (
        '<link rel="alternate" type="application/json" href="/api/v1/reports?size=50&amp;sort=received">'
        in response.text
    )
    narrowed = page_text(web.get("/desk?q=bakery"))
    assert "Inbox hotline caller" in narrowed
    assert "Inbox observer" not in narrowed
    by_act = page_text(web.get("/desk?act=air_strike"))
    assert "Inbox observer" in by_act
    assert "Inbox hotline caller" not in by_act
    unlinked = page_text(web.get("/desk?stage=unlinked&q=Jets"))
    assert "Inbox observer" in unlinked
    assert "Inbox observer" not in page_text(web.get("/desk?stage=triage&q=Jets"))


def test_the_inbox_lists_messages_and_refuses_bad_filters(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    make_report(session, subject="A message subject for the inbox", channel="sms")
    session.commit()
    response = web.get("/desk?view=messages&channel=sms")
    assert response.status_code == 200
    assert "A message subject for the inbox" in page_text(response)
    assert "/api/v1/messages?channel=sms" in response.text
    bad = web.get("/desk?since=yesterday&channel=pigeon")
    assert bad.status_code == 422
    text = page_text(bad)
    assert "since: a day as YYYY-MM-DD" in text
    assert "channel: not one of the choices" in text


def test_an_analyst_groups_two_opposing_reports_into_a_contested_incident(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    _, _, one, other = _opposing(session)
    session.commit()
    inbox = web.get("/desk?stage=unlinked")
    form = {
        "csrf_token": csrf_from(inbox),
        "action": "group",
        "title": "Shelling of Desktown",
        "report_id": [one.id, other.id],
    }
    response = web.post("/desk/bulk", data=form)
    assert response.status_code == 303, response.text
    incident_url = response.headers["location"].split("?")[0]
    page = web.get(incident_url)
    assert page.status_code == 200
    text = page_text(page)
    assert "Shelling of Desktown" in text
    assert 'data-grade="contested"' in page.text
    # Both claims side by side, each marked as contradicting, and the contradiction listed.
    assert page.text.count('class="claim card contradicting"') == 2
    assert "mutual accusation" in text.lower()
    assert "Desk Test Army" in text
    assert "Desk Test Rebels" in text
    assert "counter accuses" in text
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "incident.open")).all()
    assert any(e.changes.get("title") == "Shelling of Desktown" for e in entries)


def test_a_refused_bulk_action_stores_nothing_and_keeps_the_selection(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    one = make_report(session, source_name="Bulk one")
    two = make_report(session, source_name="Bulk two")
    session.commit()
    incidents_before, links_before = _count(session, Incident), _count(session, IncidentReport)
    token = csrf_from(web.get("/desk"))
    nothing = web.post("/desk/bulk", data={"csrf_token": token, "action": "group", "title": "x"})
    assert nothing.status_code == 422
    assert "Select at least one report." in page_text(nothing)
    no_title = web.post(
        "/desk/bulk", data={"csrf_token": token, "action": "group", "title": " ", "report_id": [one.id]}
    )
    assert no_title.status_code == 422
    missing = web.post(
        "/desk/bulk",
        data={
            "csrf_token": token,
            "action": "attach",
            "incident_id": "no-such",
            "report_id": [one.id, two.id],
        },
    )
    assert missing.status_code == 422
    assert re.search(rf'value="{one.id}"[^>]*checked', missing.text)
    assert _count(session, Incident) == incidents_before
    assert _count(session, IncidentReport) == links_before


def test_attach_links_the_selected_reports_to_an_existing_incident(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    incident = make_incident(session)
    extra = make_report(session, source_name="Attach me")
    session.commit()
    token = csrf_from(web.get("/desk"))
    response = web.post(
        "/desk/bulk",
        data={"csrf_token": token, "action": "attach", "incident_id": incident.id, "report_id": [extra.id]},
    )
    assert response.status_code == 303
    assert "Attach me" in page_text(web.get(f"/desk/incidents/{incident.id}"))


def test_roles_without_the_permission_get_no_bulk_form_and_a_403(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("observer")
    report = make_report(session, source_name="Someone else's")
    session.commit()
    inbox = web.get("/desk")
    assert inbox.status_code == 200
    assert 'name="report_id"' not in inbox.text
    assert "Someone else's" not in page_text(inbox)  # an observer sees its own submissions only
    refused = web.post(
        "/desk/bulk",
        data={"csrf_token": csrf_from(inbox), "action": "group", "title": "t", "report_id": [report.id]},
    )
    assert refused.status_code == 403
    assert "Not allowed" in page_text(refused)


def test_a_form_without_csrf_is_refused(web: TestClient, session: Session, sign_in: SignIn) -> None:
    sign_in("analyst")
    report = make_report(session)
    session.commit()
    web.get("/desk")
    response = web.post("/desk/bulk", data={"action": "group", "title": "t", "report_id": [report.id]})
    assert response.status_code == 403


def test_another_partys_records_are_the_same_404_as_missing_ones(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    own_party = make_party(session)
    other_party = make_party(session)
    other_rep = _actor(session, role="party_representative", party_id=other_party.id)
    theirs = make_report(session, actor=other_rep, source_name=None)
    incident = make_incident(session, reports=[make_report(session, source_name="Internal only")])
    sign_in("party_representative", party_id=own_party.id)
    session.commit()
    for kind, existing in (
        ("reports", theirs.lineage_id),
        ("messages", theirs.message_id),
        ("incidents", incident.id),
    ):
        forbidden, absent = web.get(f"/desk/{kind}/{existing}"), web.get(f"/desk/{kind}/no-such-id")
        assert forbidden.status_code == absent.status_code == 404
        # The same page, but for the address itself (in the language links).
        assert forbidden.text.replace(existing, "ID") == absent.text.replace("no-such-id", "ID")
    assert theirs.lineage_id not in web.get("/desk").text


def test_the_report_page_shows_versions_evidence_and_contact_only_to_sensitive_roles(
    web: TestClient, session: Session, sign_in: SignIn, app: Any
) -> None:
    report = make_report(
        session, contact="+963 944 111 222", source_name="Caller with phone", cipher=app.state.cipher
    )
    session.commit()
    sign_in("liaison_officer")
    page = web.get(f"/desk/reports/{report.lineage_id}")
    assert page.status_code == 200
    assert "Caller with phone" in page_text(page)
    message = web.get(f"/desk/messages/{report.message_id}?show_contact=1")
    assert message.status_code == 200
    assert "+963 944 111 222" not in message.text
    assert "withheld" in page_text(message)
    web.post("/logout", data={"csrf_token": csrf_from(message)})
    sign_in("analyst")
    shown = web.get(f"/desk/messages/{report.message_id}?show_contact=1")
    assert "+963 944 111 222" in shown.text
    views = session.scalars(select(AuditEntry).where(AuditEntry.action == "message.view_contact")).all()
    assert any(v.entity_id == report.message_id for v in views)


def test_the_incident_page_moves_stage_and_publication_and_refuses_bad_moves(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    incident = make_incident(session)
    session.commit()
    page = web.get(f"/desk/incidents/{incident.id}")
    token = csrf_from(page)
    moved = web.post(f"/desk/incidents/{incident.id}/stage", data={"csrf_token": token, "to": "triage"})
    assert moved.status_code == 303
    bad = web.post(
        f"/desk/incidents/{incident.id}/stage", data={"csrf_token": token, "to": "closed", "reason": ""}
    )
    assert bad.status_code == 422
    assert "cannot move from triage to closed" in page_text(bad)
    published = web.post(
        f"/desk/incidents/{incident.id}/publication",
        data={"csrf_token": token, "level": "parties", "reason": "Shared with the Task Force"},
    )
    assert published.status_code == 303
    session.refresh(incident)
    assert (incident.stage, incident.publication) == ("triage", "parties")
    text = page_text(web.get(f"/desk/incidents/{incident.id}"))
    assert "incident.stage" in text or "incident.advance" in text or "triage" in text


def test_issuing_and_superseding_a_determination(web: TestClient, session: Session, sign_in: SignIn) -> None:
    make_agreement(session)
    sign_in("analyst")
    _, _, one, other = _opposing(session)
    incident = make_incident(session, reports=[one, other])
    session.commit()
    page = web.get(f"/desk/incidents/{incident.id}")
    assert "Applicability per agreement" in page_text(page)
    assert "in scope" in page_text(page) or "uncertain" in page_text(page)
    token = csrf_from(page)
    empty = web.post(
        f"/desk/incidents/{incident.id}/determinations",
        data={"csrf_token": token, "finding": "inconclusive", "rationale": "  "},
    )
    assert empty.status_code == 422
    assert "give the rationale" in page_text(empty)
    assert _count(session, Determination) == 0
    first = web.post(
        f"/desk/incidents/{incident.id}/determinations",
        data={"csrf_token": token, "finding": "inconclusive", "rationale": "Two sides, no evidence."},
    )
    assert first.status_code == 303
    page = web.get(f"/desk/incidents/{incident.id}")
    current = session.scalars(select(Determination).where(Determination.incident_id == incident.id)).one()
    assert f'name="supersedes_id" value="{current.id}"' in page.text
    second = web.post(
        f"/desk/incidents/{incident.id}/determinations",
        data={
            "csrf_token": token,
            "finding": "no_violation",
            "rationale": "Revised.",
            "supersedes_id": current.id,
        },
    )
    assert second.status_code == 303
    text = page_text(web.get(f"/desk/incidents/{incident.id}"))
    assert "superseded by" in text
    assert "no violation" in text
    assert "determination.issue" in text  # the audit timeline


def test_observers_see_no_workflow_controls_and_may_not_post_them(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    incident = make_incident(session)
    incident.publication = "parties"
    session.commit()
    sign_in("observer")
    page = web.get(f"/desk/incidents/{incident.id}")
    assert page.status_code == 200
    assert 'id="stage-form"' not in page.text
    assert 'id="determination-form"' not in page.text
    token = csrf_from(page)
    assert (
        web.post(
            f"/desk/incidents/{incident.id}/stage", data={"csrf_token": token, "to": "triage"}
        ).status_code
        == 403
    )
    response = web.post(
        f"/desk/incidents/{incident.id}/determinations",
        data={"csrf_token": token, "finding": "inconclusive", "rationale": "r"},
    )
    assert response.status_code == 403


def test_the_incident_list_filters_by_grade_stage_and_publication(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    _, _, one, other = _opposing(session)
    make_incident(session, reports=[one, other], title="Contested desk incident")
    make_incident(session, title="Plain desk incident")
    session.commit()
    contested = web.get("/desk/incidents?grade=contested")
    assert contested.status_code == 200
    assert "Contested desk incident" in page_text(contested)
    assert "Plain desk incident" not in page_text(contested)
    assert "/api/v1/incidents?grade=contested" in contested.text
    assert "Plain desk incident" in page_text(web.get("/desk/incidents?stage=new&publication=internal"))
    assert web.get("/desk/incidents?grade=certain").status_code == 422


def test_desk_pages_carry_no_inline_script_or_style(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    incident = make_incident(session)
    session.commit()
    for path in (
        "/desk",
        "/desk?view=messages",
        "/desk/incidents",
        f"/desk/incidents/{incident.id}",
        "/desk/correlation",
    ):
        text = web.get(path).text
        assert "<script>" not in text
        assert "<style" not in text
        assert " style=" not in text
        assert not re.search(r"\son[a-z]+=", text)


def test_the_json_twins_answer_for_the_same_reader(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn
) -> None:
    user = sign_in("analyst")
    incident = make_incident(session)
    session.commit()
    headers = {"Authorization": f"Bearer {token_for(session, user)}"}
    session.commit()
    for path in (
        "/desk?q=x&stage=unlinked&channel=sms",
        "/desk/incidents?grade=contested",
        f"/desk/incidents/{incident.id}",
        "/desk/correlation?status=rejected&page=2",
    ):
        page = web.get(path)
        twin = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', page.text)
        assert twin, path
        assert client.get(twin.group(1).replace("&amp;", "&"), headers=headers).status_code == 200, (
            twin.group(1)
        )


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_inbox_and_the_incident_list_make_no_query_per_row(
    web: TestClient, session: Session, sign_in: SignIn, engine: Engine
) -> None:
    sign_in("analyst")
    for _ in range(3):
        make_incident(session)
    session.commit()
    web.get("/desk")  # the first request of a session also records the sign-in token's use
    with _statements(engine) as few:
        web.get("/desk")
        web.get("/desk/incidents")
    for _ in range(12):
        make_incident(session)
    session.commit()
    with _statements(engine) as many:
        web.get("/desk")
        web.get("/desk/incidents")
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "path", ["/desk", "/desk/incidents", "/desk/correlation", "/audit", "/registries/parties"]
)
def test_every_staff_page_sends_anonymous_readers_to_sign_in(web: TestClient, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_selected_incidents_move_stage_together_or_not_at_all(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    first, second = make_incident(session), make_incident(session)
    session.commit()
    page = web.get("/desk/incidents?stage=new")
    token = csrf_from(page)
    moved = web.post(
        "/desk/incidents/bulk",
        data={
            "csrf_token": token,
            "to": "triage",
            "incident_id": [first.id, second.id],
            "filters": "stage=new",
        },
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == "/desk/incidents?stage=new"
    session.refresh(first)
    session.refresh(second)
    assert first.stage == second.stage == "triage"
    third = make_incident(session)
    session.commit()
    # new -> verification is not a move: refused, and the first incident does not move either.
    refused = web.post(
        "/desk/incidents/bulk",
        data={"csrf_token": token, "to": "verification", "incident_id": [first.id, third.id]},
    )
    assert refused.status_code == 422
    assert "cannot move from new to verification" in page_text(refused)
    session.refresh(first)
    assert first.stage == "triage"


def test_evidence_shows_its_sha256_and_fixity_on_the_report_and_incident_pages(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn
) -> None:
    user = sign_in("analyst")
    report = make_report(session, source_name="With a log")
    incident = make_incident(session, reports=[report])
    headers = {"Authorization": f"Bearer {token_for(session, user)}"}
    session.commit()
    content = b"Civil defence log: two impacts, Street 10.\n"
    uploaded = client.post(
        "/api/v1/evidence",
        headers=headers,
        files={"file": ("log.txt", content, "text/plain")},
        data={
            "collector": "Civil defence",
            "captured_at": "2016-03-05T16:00:00+02:00",
            "report_id": report.id,
        },
    )
    assert uploaded.status_code == 201, uploaded.text
    digest = hashlib.sha256(content).hexdigest()
    for path in (f"/desk/reports/{report.lineage_id}", f"/desk/incidents/{incident.id}"):
        text = page_text(web.get(path))
        assert digest in text
        assert "intact" in text or "not checked yet" in text


def test_the_inbox_pages_newest_received_first_without_counting_everything(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    sign_in("analyst")
    for n in range(51):
        make_report(
            session,
            source_name=f"Pager source {n:02d}",
            occurred_at="2016-03-01T00:00:00+02:00",
            received_at=f"2016-03-0{1 + n % 9}T12:{n:02d}:00+02:00",
        )
    session.commit()
    first = web.get("/desk?q=Pager")
    assert first.status_code == 200
    assert 'rel="next"' in first.text
    assert "Page 1" in page_text(first)
    assert page_text(first).index("Pager source 44") < page_text(first).index("Pager source 35")
    second = web.get("/desk?q=Pager&page=2")
    assert 'rel="next"' not in second.text
    assert second.text.count('name="report_id"') == 1
