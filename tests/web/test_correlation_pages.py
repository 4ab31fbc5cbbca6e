"""The correlation desk: proposals with their signals, accept and reject, a batch run, the
correlation section of the report and incident pages; the secretariat only."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.correlation import jobs
from ceasefire.correlation.models import CorrelationPair
from ceasefire.identity.models import User
from ceasefire.incidents.models import IncidentReport
from ceasefire.kernel.actor import Actor
from tests.api.test_correlation_api import COUNTER, DOUBTFUL, open_with, submit
from tests.factories import make_party, token_for
from tests.web.conftest import csrf_from, page_text
from tests.web.test_desk_pages import _statements

SignIn = Callable[..., User]
Headers = dict[str, str]


def _proposal(session: Session, report_id: str) -> CorrelationPair:
    pair = session.scalars(
        select(CorrelationPair).where(
            CorrelationPair.report_lineage_id == report_id, CorrelationPair.status == "open"
        )
    ).one()
    return pair


def _audit(session: Session, action: str, entity_id: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(query))


def _incident_of(session: Session, report_id: str) -> str | None:
    return session.scalar(
        select(IncidentReport.incident_id).where(IncidentReport.report_lineage_id == report_id)
    )


def test_an_analyst_sees_a_proposal_with_its_signals_and_accepts_it(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers
) -> None:
    first = submit(client, analyst)
    incident_id = open_with(client, analyst, first)
    doubtful = submit(client, analyst, **DOUBTFUL)
    pair = _proposal(session, doubtful)
    assert pair.target_kind == "incident"
    assert pair.target_ref == incident_id
    sign_in("analyst")
    page = web.get("/desk/correlation")
    assert page.status_code == 200
    assert '<a href="/desk/correlation">Correlation</a>' in page.text  # in the navigation
    twin = "/api/v1/correlation/proposals?status=open&amp;size=50"
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in page.text
    card = page.text[page.text.index(f'id="pair-{pair.id}"') :]
    assert f'href="/desk/reports/{doubtful}"' in card
    assert f'href="/desk/incidents/{incident_id}"' in card
    text = page_text(page)
    assert "Shelling of Jobar" in text  # the incident's title
    assert f"{pair.score:.3f}" in text
    for signal in ("time", "place", "category", "actors", "text"):
        value = pair.explanation["signals"][signal]
        weight = pair.explanation["weights"][signal]
        contribution = pair.explanation["contributions"][signal]
        row = re.search(rf'<tr class="signal-{signal}">(.*?)</tr>', card, re.S)
        assert row, signal
        assert f'value="{value}"' in row.group(1)
        assert f"× {weight:.2f}" in row.group(1)
        assert f"{contribution:.3f}" in row.group(1)
    accepted = web.post(
        f"/desk/correlation/{pair.id}/accept",
        data={"csrf_token": csrf_from(page), "filters": "status=open"},
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == (
        f"/desk/correlation?status=open&done=accepted&incident={incident_id}"
    )
    assert _incident_of(session, doubtful) == incident_id
    session.refresh(pair)
    assert pair.status == "accepted"
    [entry] = _audit(session, "correlation.accept", doubtful)
    assert entry.changes["pair"] == pair.id
    assert entry.changes["incident_id"] == incident_id
    after = web.get(accepted.headers["location"])
    assert "The proposal is accepted" in page_text(after)
    assert f'id="pair-{pair.id}"' not in after.text  # no longer open
    listed = web.get("/desk/correlation?status=accepted")
    assert f'id="pair-{pair.id}"' in listed.text
    assert "Decided by" in page_text(listed)


def test_a_rejected_proposal_is_never_listed_as_open_again(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers
) -> None:
    submit(client, analyst)
    doubtful = submit(client, analyst, **DOUBTFUL)
    pair = _proposal(session, doubtful)
    assert pair.target_kind == "report"
    sign_in("analyst")
    page = web.get("/desk/correlation")
    rejected = web.post(
        f"/desk/correlation/{pair.id}/reject",
        data={"csrf_token": csrf_from(page), "reason": "different shelling, other quarter"},
    )
    assert rejected.status_code == 303
    assert rejected.headers["location"] == "/desk/correlation?done=rejected"
    [entry] = _audit(session, "correlation.reject", doubtful)
    assert entry.reason == "different shelling, other quarter"
    assert _incident_of(session, doubtful) is None
    # A batch run does not propose it again either.
    ran = web.post("/desk/correlation/run", data={"csrf_token": csrf_from(page)})
    assert ran.status_code == 303
    assert f'id="pair-{pair.id}"' not in web.get("/desk/correlation").text
    assert (
        session.scalar(
            select(func.count()).select_from(CorrelationPair).where(CorrelationPair.status == "open")
        )
        == 0
    )
    shown = web.get("/desk/correlation?status=rejected")
    assert f'id="pair-{pair.id}"' in shown.text
    assert "different shelling, other quarter" in page_text(shown)


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_a_decision_on_a_decided_proposal_is_refused_and_changes_nothing(
    web: TestClient,
    client: TestClient,
    session: Session,
    sign_in: SignIn,
    analyst: Headers,
    decision: str,
) -> None:
    submit(client, analyst)
    doubtful = submit(client, analyst, **DOUBTFUL)
    pair = _proposal(session, doubtful)
    sign_in("analyst")
    page = web.get("/desk/correlation")
    token = csrf_from(page)
    assert web.post(f"/desk/correlation/{pair.id}/reject", data={"csrf_token": token}).status_code == 303
    audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
    again = web.post(
        f"/desk/correlation/{pair.id}/{decision}", data={"csrf_token": token, "reason": "second thoughts"}
    )
    assert again.status_code == 422
    assert f"proposal {pair.id} is rejected, not open" in page_text(again)
    session.refresh(pair)
    assert pair.status == "rejected"
    assert pair.reason is None
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert _incident_of(session, doubtful) is None
    missing = web.post("/desk/correlation/no-such-pair/accept", data={"csrf_token": token})
    assert missing.status_code == 404


def test_a_post_without_csrf_is_refused(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers
) -> None:
    submit(client, analyst)
    doubtful = submit(client, analyst, **DOUBTFUL)
    pair = _proposal(session, doubtful)
    sign_in("analyst")
    web.get("/desk/correlation")
    for path in (f"/desk/correlation/{pair.id}/accept", f"/desk/correlation/{pair.id}/reject"):
        assert web.post(path, data={"reason": "x"}).status_code == 403
    assert web.post("/desk/correlation/run").status_code == 403
    session.refresh(pair)
    assert pair.status == "open"
    assert _audit(session, "correlation.run") == []


@pytest.mark.parametrize("role", ["party_representative", "humanitarian_coordinator", "observer"])
def test_roles_outside_the_secretariat_get_403_and_no_link(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers, role: str
) -> None:
    first = submit(client, analyst)
    doubtful = submit(client, analyst, **DOUBTFUL)
    pair = _proposal(session, doubtful)
    sign_in(role, party_id=make_party(session).id) if role == "party_representative" else sign_in(role)
    inbox = web.get("/desk")
    assert inbox.status_code == 200
    assert "/desk/correlation" not in inbox.text
    token = csrf_from(inbox)
    refused = web.get("/desk/correlation")
    assert refused.status_code == 403
    assert "Not allowed" in page_text(refused)
    for path in (
        f"/desk/correlation/{pair.id}/accept",
        f"/desk/correlation/{pair.id}/reject",
        "/desk/correlation/run",
    ):
        assert web.post(path, data={"csrf_token": token}).status_code == 403, path
    session.refresh(pair)
    assert pair.status == "open"
    del first


def test_a_liaison_officer_reads_but_may_not_decide_or_run(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers
) -> None:
    submit(client, analyst)
    doubtful = submit(client, analyst, **DOUBTFUL)
    pair = _proposal(session, doubtful)
    sign_in("liaison_officer")
    page = web.get("/desk/correlation")
    assert page.status_code == 200
    assert f'id="pair-{pair.id}"' in page.text
    assert "/accept" not in page.text
    assert "/desk/correlation/run" not in page.text
    token = csrf_from(page)
    assert web.post(f"/desk/correlation/{pair.id}/accept", data={"csrf_token": token}).status_code == 403
    assert web.post("/desk/correlation/run", data={"csrf_token": token}).status_code == 403
    # The navigation link is translated like the rest of the header (the desk itself is English).
    assert '<a href="/desk/correlation">Сопоставление</a>' in web.get("/desk/correlation?lang=ru").text


def test_the_run_button_runs_a_batch_and_shows_the_summary(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers
) -> None:
    submit(client, analyst)
    submit(client, analyst, **COUNTER)  # apart at intake: opening an incident is left to a batch run
    sign_in("analyst")
    page = web.get("/desk/correlation")
    assert "Last batch run" not in page_text(page)
    ran = web.post("/desk/correlation/run", data={"csrf_token": csrf_from(page)})
    assert ran.status_code == 303
    assert ran.headers["location"] == "/desk/correlation?done=run#run"
    # The run is a job carried out after the response (the test client waits for it).
    [entry] = _audit(session, "correlation.run")
    summary = entry.changes
    assert summary["incidents_opened"] == 1
    assert summary["reports_attached"] == 2
    assert len(_audit(session, "correlation.run_requested")) == 1
    shown = web.get(ran.headers["location"])
    text = page_text(shown)
    assert "The batch run has started." in text
    assert "done" in text
    run_box = re.search(r'<dl class="facts run-summary">(.*?)</dl>', shown.text, re.S)
    assert run_box
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", run_box.group(1)))
    assert facts["Reports"] == str(summary["reports"])
    assert facts["Candidate pairs"] == str(summary["candidate_pairs"])
    assert facts["Incidents opened"] == "1"
    assert facts["Reports attached"] == "2"
    assert facts["Proposals"] == str(summary["proposals"])
    # The pair the run grouped is listed as attached, with the incident it opened.
    [grouped] = session.scalars(select(CorrelationPair).where(CorrelationPair.status == "attached")).all()
    attached = web.get("/desk/correlation?status=attached")
    card = attached.text[attached.text.index(f'id="pair-{grouped.id}"') :]
    assert f'href="/desk/incidents/{grouped.explanation["incident_id"]}"' in card
    assert "batch" in page_text(attached)
    assert "/accept" not in attached.text  # only open proposals are decided


def test_the_report_and_incident_pages_show_the_correlation_section(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers
) -> None:
    first = submit(client, analyst)
    incident_id = open_with(client, analyst, first)
    counter = submit(client, analyst, **COUNTER)  # joins the incident at intake: a counter-accusation
    pair = session.scalars(select(CorrelationPair).where(CorrelationPair.report_lineage_id == counter)).one()
    assert pair.status == "attached"
    sign_in("liaison_officer")
    report = web.get(f"/desk/reports/{counter}")
    assert report.status_code == 200
    section = report.text[report.text.index('id="correlation"') :]
    text = page_text(report)
    assert "Grouped into" in text
    assert "the correlator (auto)" in text
    assert f'href="/desk/incidents/{incident_id}"' in section
    assert f'id="pair-{pair.id}"' in section
    assert "counter-accusation" in text
    assert f"{pair.score:.3f}" in text
    incident = web.get(f"/desk/incidents/{incident_id}")
    assert incident.status_code == 200
    section = incident.text[incident.text.index('id="correlation"') :]
    assert f'id="pair-{pair.id}"' in section
    assert f'href="/desk/reports/{counter}"' in section
    assert '<tr class="signal-actors">' in section


def test_the_correlation_section_is_hidden_from_other_roles(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers
) -> None:
    first = submit(client, analyst)
    open_with(client, analyst, first)
    observer = sign_in("observer")
    # An observer sees its own submissions: one of its own, grouped at intake.
    own = submit(client, {"Authorization": f"Bearer {token_for(session, observer)}"}, **COUNTER)
    assert _incident_of(session, own) is not None
    page = web.get(f"/desk/reports/{own}")
    assert page.status_code == 200
    assert 'id="correlation"' not in page.text
    assert "counter-accusation" not in page.text


def test_a_bad_status_filter_is_refused(web: TestClient, sign_in: SignIn) -> None:
    sign_in("analyst")
    bad = web.get("/desk/correlation?status=maybe")
    assert bad.status_code == 422
    assert "status: not one of the choices" in page_text(bad)


def _proposals(client: TestClient, headers: Headers, days: range) -> None:
    for day in days:
        submit(client, headers, occurred_at=f"2016-04-{day:02d}T15:00:00+02:00")
        submit(client, headers, **{**DOUBTFUL, "occurred_at": f"2016-04-{day:02d}T17:00:00+02:00"})


def test_the_proposal_list_makes_no_query_per_row(
    web: TestClient, client: TestClient, session: Session, sign_in: SignIn, analyst: Headers, engine: Engine
) -> None:
    _proposals(client, analyst, range(1, 3))
    sign_in("analyst")
    web.get("/desk/correlation")  # the first request of a session also records the sign-in token's use
    with _statements(engine) as few:
        assert web.get("/desk/correlation").text.count('class="card proposal') == 2
    _proposals(client, analyst, range(10, 16))
    with _statements(engine) as many:
        assert web.get("/desk/correlation").text.count('class="card proposal') == 8
    assert len(many) == len(few)


def test_a_second_run_is_refused_while_one_is_going(
    web: TestClient, session: Session, sign_in: SignIn
) -> None:
    queued = jobs.request_run(session, actor=Actor(id="a", username="someone", role="analyst", via="web"))
    sign_in("analyst")
    page = web.get("/desk/correlation")
    assert "queued" in page_text(page)
    assert "someone" in page_text(page)
    refused = web.post("/desk/correlation/run", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 422
    assert f"correlation run {queued.id} is queued" in page_text(refused)
    assert len(_audit(session, "correlation.run_requested")) == 1
    assert _audit(session, "correlation.run") == []
