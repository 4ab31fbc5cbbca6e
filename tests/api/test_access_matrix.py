"""Every route of the API, tried as every role, against one world of records of two parties.

The table below is the access policy, written out: for each route (and the record its path names),
what each role gets. A route the API serves but the table does not list fails the test, so a new
route cannot ship without a decision here. Every cell runs from the same world: the effects of each
request are undone before the next. Write routes are sent a valid body, so `ok` means the request
did what it asks.

Cells: `ok` = allowed (2xx); `401` = needs a token; `403` = the role may not do this (whatever the
record); `404` = not found, with a body identical, but for the id, to the answer for an id that
does not exist (a party must not learn that another party's record exists). For party A, every
refusal on a record of party B (404 or 403) is compared with the answer for an unknown id, and no
answer party A gets may contain the id of a record of party B; no answer to anyone may contain the
contact details, but the contact route's to the roles allowed them; no cell may answer 5xx.

Roles: admin, analyst, liaison (officer), coord (humanitarian coordinator), obs (observer), rep_a and
rep_b (representatives of party A and party B) and anon (no token).

Targets (the world): msg-a/rep-a = party A's representative's message and report (with contact
details); msg-b/rep-b/rep-b2 = party B's representative's message and two reports; ev-b = party B's
evidence, cited by rep-b; inc-b = an internal incident grouping rep-b and rep-b2 (it involves party
B only); inc-acc-a = an internal incident grouping an observer's report that accuses party A;
inc-pub = an incident published to the public; det-b = a determination on inc-b; receipt-b = the
reference code of msg-b; own-token = the caller's own token; party-b, place, area, agreement =
registry records; mov-b/appr-b = a movement through party B's area of control and party B's approval
of it; mov-draft, site, corridor, post = access records; pair-b = an open correlation proposal
pairing the unlinked report with inc-b; run = a finished batch correlation run. The second id of
the unlink route is rep-b.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from ceasefire.access import service as access
from ceasefire.access.models import Approval
from ceasefire.access.schemas import CorridorCreate, PostCreate, SiteCreate
from ceasefire.audit.models import AuditEntry
from ceasefire.correlation.models import CorrelationPair, CorrelationRun
from ceasefire.determinations import service as determinations
from ceasefire.determinations.schemas import DeterminationCreate
from ceasefire.evidence import service as evidence
from ceasefire.identity import service as identity
from ceasefire.identity.crypto import FernetCipher
from ceasefire.incidents import service as incidents
from ceasefire.intake.models import Message
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.claims import Publication
from ceasefire.settings import Settings
from tests import access_data
from tests.conftest import TEST_KEY
from tests.factories import (
    make_agreement,
    make_area,
    make_party,
    make_place,
    make_report,
    make_user,
    report_claim,
    token_for,
)

ROLES = ("admin", "analyst", "liaison", "coord", "obs", "rep_a", "rep_b", "anon")
ROLE_NAMES = {
    "admin": "admin",
    "analyst": "analyst",
    "liaison": "liaison_officer",
    "coord": "humanitarian_coordinator",
    "obs": "observer",
}
CONTACT = "+963 11 555 0199 (party A's duty officer)"
PASSWORD = "correct horse battery"
UNKNOWN = "Zz9unknownId0000000000"

# Who may see what, in short: the secretariat (admin, analyst, liaison) sees everything; a party
# representative its party's submissions and the incidents its party reported or is accused in;
# coordinators and observers their own submissions and what is released; the public what is public.
TABLE = """
method path                                         target    admin analyst liaison coord obs rep_a rep_b anon
GET    /health                                      -         ok    ok      ok      ok    ok  ok    ok    ok
POST   /tokens                                      -         ok    ok      ok      ok    ok  ok    ok    ok
GET    /me                                          -         ok    ok      ok      ok    ok  ok    ok    401
GET    /users                                       -         ok    403     403     403   403 403   403   401
POST   /users                                       -         ok    403     403     403   403 403   403   401
GET    /me/tokens                                   -         ok    ok      ok      ok    ok  ok    ok    401
POST   /me/tokens                                   -         ok    ok      ok      ok    ok  ok    ok    401
DELETE /me/tokens/{token_id}                        own-token ok    ok      ok      ok    ok  ok    ok    401
GET    /audit                                       -         ok    ok      ok      403   403 403   403   401
GET    /parties                                     -         ok    ok      ok      ok    ok  ok    ok    401
POST   /parties                                     -         ok    ok      403     403   403 403   403   401
GET    /parties/resolve                             -         ok    ok      ok      ok    ok  ok    ok    401
GET    /parties/{party_id}                          party-b   ok    ok      ok      ok    ok  ok    ok    401
POST   /parties/{party_id}/aliases                  party-b   ok    ok      403     403   403 403   403   401
GET    /parties/{party_id}/relations                party-b   ok    ok      ok      ok    ok  ok    ok    401
POST   /parties/{party_id}/relations                party-b   ok    ok      403     403   403 403   403   401
GET    /parties/{party_id}/stances                  party-b   ok    ok      ok      ok    ok  ok    ok    401
GET    /places                                      -         ok    ok      ok      ok    ok  ok    ok    401
POST   /places                                      -         ok    ok      403     403   403 403   403   401
GET    /places/resolve                              -         ok    ok      ok      ok    ok  ok    ok    401
GET    /places/{place_id}                           place     ok    ok      ok      ok    ok  ok    ok    401
POST   /places/{place_id}/names                     place     ok    ok      403     403   403 403   403   401
GET    /areas                                       -         ok    ok      ok      ok    ok  ok    ok    401
POST   /areas                                       -         ok    ok      403     403   403 403   403   401
GET    /areas.geojson                               -         ok    ok      ok      ok    ok  ok    ok    401
GET    /areas/{area_id}                             area      ok    ok      ok      ok    ok  ok    ok    401
GET    /agreements                                  -         ok    ok      ok      ok    ok  ok    ok    401
POST   /agreements                                  -         ok    ok      403     403   403 403   403   401
GET    /agreements/{agreement_id}                   agreement ok    ok      ok      ok    ok  ok    ok    401
GET    /agreements/{agreement_id}/stances           agreement ok    ok      ok      ok    ok  ok    ok    401
POST   /agreements/{agreement_id}/stances           agreement ok    ok      403     403   403 403   403   401
POST   /agreements/{agreement_id}/status            agreement ok    ok      403     403   403 403   403   401
POST   /agreements/{agreement_id}/obligations       agreement ok    ok      403     403   403 403   403   401
POST   /messages                                    -         ok    ok      ok      ok    ok  ok    ok    401
GET    /messages                                    -         ok    ok      ok      ok    ok  ok    ok    401
GET    /messages/{message_id}                       msg-b     ok    ok      ok      404   404 404   ok    401
GET    /messages/{message_id}                       msg-a     ok    ok      ok      404   404 ok    404   401
GET    /messages/{message_id}/contact               msg-a     ok    ok      403     404   404 403   404   401
POST   /messages/{message_id}/reports               msg-b     ok    ok      403     403   403 403   403   401
POST   /reports                                     -         ok    ok      ok      ok    ok  ok    ok    401
GET    /reports                                     -         ok    ok      ok      ok    ok  ok    ok    401
GET    /reports/{report_id}                         rep-b     ok    ok      ok      404   404 404   ok    401
GET    /reports/{report_id}                         rep-a     ok    ok      ok      404   404 ok    404   401
GET    /reports/{report_id}/versions                rep-b     ok    ok      ok      404   404 404   ok    401
POST   /reports/{report_id}/corrections             rep-b     ok    ok      403     404   404 404   ok    401
POST   /reports/{report_id}/withdraw                rep-b     ok    403     403     404   404 404   ok    401
POST   /public/reports                              -         ok    ok      ok      ok    ok  ok    ok    ok
GET    /public/receipts/{reference_code}            receipt-b ok    ok      ok      ok    ok  ok    ok    ok
POST   /public/receipts/{reference_code}/additions  receipt-b ok    ok      ok      ok    ok  ok    ok    ok
POST   /evidence                                    -         ok    ok      ok      ok    ok  ok    ok    401
POST   /evidence/urls                               -         ok    ok      ok      ok    ok  ok    ok    401
GET    /evidence/{evidence_id}                      ev-b      ok    ok      ok      404   404 404   ok    401
GET    /evidence/{evidence_id}/content              ev-b      ok    ok      ok      404   404 404   ok    401
POST   /reports/{report_id}/evidence                rep-b2    ok    ok      ok      404   404 404   ok    401
GET    /reports/{report_id}/evidence                rep-b     ok    ok      ok      404   404 404   ok    401
GET    /incidents                                   -         ok    ok      ok      ok    ok  ok    ok    401
POST   /incidents                                   -         ok    ok      403     403   403 403   403   401
GET    /incidents/{incident_id}                     inc-b     ok    ok      ok      404   404 404   ok    401
GET    /incidents/{incident_id}                     inc-acc-a ok    ok      ok      404   404 ok    404   401
GET    /incidents/{incident_id}                     inc-pub   ok    ok      ok      ok    ok  ok    ok    401
GET    /incidents/{incident_id}/history             inc-b     ok    ok      ok      404   404 404   ok    401
POST   /incidents/{incident_id}/reports             inc-b     ok    ok      403     403   403 403   403   401
DELETE /incidents/{incident_id}/reports/{report_id} inc-b     ok    ok      403     403   403 403   403   401
POST   /incidents/{incident_id}/merge               inc-b     ok    ok      403     403   403 403   403   401
POST   /incidents/{incident_id}/split               inc-b     ok    ok      403     403   403 403   403   401
POST   /incidents/{incident_id}/stage               inc-b     ok    ok      403     403   403 403   403   401
POST   /incidents/{incident_id}/publication         inc-b     ok    ok      403     403   403 403   403   401
GET    /public/incidents                            -         ok    ok      ok      ok    ok  ok    ok    ok
GET    /public/incidents/{incident_id}              inc-pub   ok    ok      ok      ok    ok  ok    ok    ok
GET    /public/incidents/{incident_id}              inc-b     404   404     404     404   404 404   404   404
GET    /incidents/{incident_id}/applicability       inc-b     ok    ok      ok      404   404 404   ok    401
POST   /incidents/{incident_id}/determinations      inc-b     ok    ok      403     404   404 404   403   401
GET    /incidents/{incident_id}/determinations      inc-b     ok    ok      ok      404   404 404   ok    401
GET    /determinations/{determination_id}           det-b     ok    ok      ok      404   404 404   ok    401
GET    /correlation/proposals                       -         ok    ok      ok      403   403 403   403   401
POST   /correlation/proposals/{pair_id}/accept      pair-b    ok    ok      403     403   403 403   403   401
POST   /correlation/proposals/{pair_id}/reject      pair-b    ok    ok      403     403   403 403   403   401
GET    /reports/{report_id}/correlation             rep-b     ok    ok      ok      403   403 403   403   401
GET    /incidents/{incident_id}/correlation         inc-b     ok    ok      ok      403   403 403   403   401
POST   /correlation/runs                            -         ok    ok      403     403   403 403   403   401
GET    /correlation/runs                            -         ok    ok      ok      403   403 403   403   401
GET    /correlation/runs/{run_id}                   run       ok    ok      ok      403   403 403   403   401
GET    /map/incidents                               -         ok    ok      ok      ok    ok  ok    ok    ok
GET    /map/areas                                   -         ok    ok      ok      ok    ok  ok    ok    401
GET    /movements                                   -         ok    ok      ok      ok    ok  ok    ok    401
POST   /movements                                   -         ok    403     403     ok    ok  403   403   401
POST   /movements/recompute                         -         ok    403     403     ok    ok  403   403   401
GET    /movements/{movement_id}                     mov-b     ok    ok      ok      ok    ok  404   ok    401
POST   /movements/{movement_id}/submit              mov-draft ok    403     403     ok    ok  403   403   401
POST   /movements/{movement_id}/recompute           mov-b     ok    403     403     ok    ok  403   403   401
POST   /movements/{movement_id}/status              mov-b     ok    403     403     ok    ok  403   403   401
POST   /movements/{movement_id}/obstructions        mov-b     ok    403     403     ok    ok  403   403   401
POST   /approvals/{approval_id}/decision            appr-b    ok    403     403     ok    403 404   ok    401
POST   /agreement-approvers                         -         ok    403     403     ok    ok  403   403   401
GET    /sites                                       -         ok    ok      ok      ok    ok  ok    ok    401
POST   /sites                                       -         ok    403     403     ok    ok  403   403   401
POST   /sites/scan                                  -         ok    403     403     ok    ok  403   403   401
POST   /sites/{site_id}/acknowledgements            site      ok    403     403     ok    403 403   ok    401
GET    /corridors                                   -         ok    ok      ok      ok    ok  ok    ok    401
POST   /corridors                                   -         ok    403     403     ok    ok  403   403   401
POST   /corridors/{corridor_id}/status              corridor  ok    403     403     ok    ok  403   403   401
POST   /checkpoints                                 -         ok    403     403     ok    ok  403   403   401
GET    /besieged-areas                              -         ok    ok      ok      ok    ok  ok    ok    401
POST   /besieged-areas                              -         ok    403     403     ok    ok  403   403   401
GET    /observation-posts                           -         ok    ok      ok      ok    ok  ok    ok    401
POST   /observation-posts                           -         ok    403     403     ok    ok  403   403   401
GET    /observation-posts/overdue                   -         ok    ok      ok      ok    ok  ok    ok    401
GET    /observation-posts/{post_id}/logs            post      ok    ok      ok      ok    ok  ok    ok    401
POST   /observation-posts/{post_id}/logs            post      ok    403     403     ok    ok  403   403   401
"""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table."""

    method: str
    path: str
    target: str
    expected: dict[str, str]


def parse_table(text: str) -> list[Row]:
    """The table's rows (the first line names the columns)."""
    header, *lines = [line.split() for line in text.strip().splitlines()]
    assert header[3:] == list(ROLES), header
    return [Row(w[0], "/api/v1" + w[1], w[2], dict(zip(ROLES, w[3:], strict=True))) for w in lines]


ROWS = parse_table(TABLE)


@dataclass
class World:
    """The ids of the records every cell is tried against, and each role's token."""

    ids: dict[str, str]
    tokens: dict[str, str]
    token_ids: dict[str, str]
    receipt: str


def _users(
    session: Session, party_a: str, party_b: str
) -> tuple[dict[str, str], dict[str, str], dict[str, Actor]]:
    tokens, token_ids, actors = {}, {}, {}
    for role in ROLES[:-1]:
        party = {"rep_a": party_a, "rep_b": party_b}.get(role)
        user = make_user(
            session,
            username=f"matrix-{role.replace('_', '-')}",
            role=ROLE_NAMES.get(role, "party_representative"),
            party_id=party,
            password=None,
        )
        tokens[role] = token_for(session, user)
        token_ids[role] = identity.list_tokens(session, user=user)[0].id
        actors[role] = identity.actor_for(user, via="api")
    return tokens, token_ids, actors


def build_world(session: Session, app: FastAPI, settings: Settings) -> World:
    """Parties A and B, a user of each role, and the records the table names."""
    party_a, party_b = make_party(session), make_party(session)
    tokens, token_ids, actors = _users(session, party_a.id, party_b.id)
    make_user(session, username="matrix-login", role="observer", password=PASSWORD)
    cipher = FernetCipher([TEST_KEY])
    report_a = make_report(session, actor=actors["rep_a"], cipher=cipher, contact=CONTACT, source_name=None)
    report_b = make_report(
        session, actor=actors["rep_b"], perpetrator_text="unknown gunmen", source_name=None
    )
    report_b2 = make_report(
        session, actor=actors["rep_b"], source_name=None, killed_min=None, killed_max=None
    )
    stored = evidence.store_file(
        session,
        content=b"Shelling in Jobar at 15:00, photographed from the roof.\n",
        filename="note.txt",
        declared_type="text/plain",
        collector="party B's liaison cell",
        captured_at=report_b.occurred_at,
        actor=actors["rep_b"],
        store=app.state.evidence_store,
        allowed_types=settings.evidence_types,
        max_bytes=settings.max_evidence_bytes,
        report_id=report_b.id,
    )
    incident_b = incidents.open_incident(
        session, report_ids=[report_b.id, report_b2.id], title="B", actor=SYSTEM
    )
    accusing = make_report(session, actor=actors["obs"], perpetrator_party_id=party_a.id, source_name=None)
    incident_acc_a = incidents.open_incident(
        session, report_ids=[accusing.id], title="Accused A", actor=SYSTEM
    )
    public_report = make_report(session, source_name="Test monitor")
    incident_pub = incidents.open_incident(
        session, report_ids=[public_report.id], title="Public", actor=SYSTEM
    )
    incidents.set_publication(session, incident_id=incident_pub.id, level=Publication.PUBLIC, actor=SYSTEM)
    finding = DeterminationCreate(finding="inconclusive", rationale="Each side's claim is unverified.")
    determination = determinations.issue_determination(
        session, incident_id=incident_b.id, data=finding, actor=SYSTEM
    )
    ids = {
        "party-b": party_b.id,
        "party-a": party_a.id,
        "place": make_place(session).id,
        "area": make_area(session).id,
        "agreement": make_agreement(session).id,
        "msg-a": report_a.message_id,
        "msg-b": report_b.message_id,
        "rep-a": report_a.id,
        "rep-b": report_b.id,
        "rep-b2": report_b2.id,
        "ev-b": stored.id,
        "inc-b": incident_b.id,
        "inc-acc-a": incident_acc_a.id,
        "inc-pub": incident_pub.id,
        "det-b": determination.id,
        "unlinked-report": make_report(session, source_name="Test monitor").id,
        **_access_records(session, party_b.id),
    }
    ids["pair-b"] = _proposal(session, ids["unlinked-report"], incident_b.id)
    ids["run"] = _run(session)
    message_b = session.get(Message, report_b.message_id)
    assert message_b is not None
    return World(ids=ids, tokens=tokens, token_ids=token_ids, receipt=message_b.reference_code)


def _access_records(session: Session, party_b: str) -> dict[str, str]:
    """A movement through party B's area of control and its approval; a draft, site, corridor, post."""
    make_area(session, party_id=party_b)
    movement = access_data.submitted(session, route=access_data.route((37.10, 36.20), (37.25, 36.20)))
    approval = session.scalars(select(Approval).where(Approval.movement_id == movement.id)).one()
    draft = access.create_movement(session, data=access_data.movement_data(), actor=SYSTEM)
    site = access.create_site(session, data=SiteCreate.model_validate(SITE), actor=SYSTEM)
    corridor = access.create_corridor(session, data=CorridorCreate.model_validate(CORRIDOR), actor=SYSTEM)
    post = access.create_post(session, data=PostCreate.model_validate(POST), actor=SYSTEM)
    return {
        "mov-b": movement.id,
        "appr-b": approval.id,
        "mov-draft": draft.id,
        "site": site.id,
        "corridor": corridor.id,
        "post": post.id,
    }


SITE = {
    "name": "Matrix clinic",
    "kind": "clinic",
    "operator": "Matrix NGO",
    "latitude": 36.2,
    "longitude": 37.1,
    "notified_at": "2016-09-01T00:00:00+03:00",
}
CORRIDOR = {
    "name": "Matrix corridor",
    "purpose": "aid_delivery",
    "operator": "SARC",
    "route": {"type": "LineString", "coordinates": [[37.13, 36.25], [37.17, 36.23]]},
    "round_the_clock": True,
}
POST = {
    "name": "Matrix post",
    "operator": "Matrix monitors",
    "latitude": 36.24,
    "longitude": 37.15,
    "active_from": "2016-09-12",
}


def _run(session: Session) -> str:
    """A finished batch correlation run."""
    run = CorrelationRun(id="matrixrun0000000", status="done", requested_by="matrix", via="api")
    session.add(run)
    session.flush()
    return run.id


def _proposal(session: Session, report_id: str, incident_id: str) -> str:
    """An open correlation proposal pairing a report with an incident."""
    pair = CorrelationPair(
        id="matrixpair000000000000000",
        report_lineage_id=report_id,
        target_kind="incident",
        target_ref=incident_id,
        score=0.6,
        explanation={"score": 0.6},
        status="open",
        run="intake",
        attempts=1,
    )
    session.add(pair)
    session.flush()
    return pair.id


CLAIM = report_claim()
TEXT_FILE = b"A note on the shelling, written at the observation post.\n"


def _bodies(w: World) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid request body for each route that takes one (so that an allowed role gets a 2xx)."""
    ids = w.ids
    at = "2016-03-05T18:00:00+02:00"
    evidence_form = {"collector": "matrix test", "captured_at": at}
    return {
        ("POST", "/api/v1/tokens"): {"json": {"username": "matrix-login", "password": PASSWORD}},
        ("POST", "/api/v1/users"): {
            "json": {"username": "matrix-new", "display_name": "New", "role": "observer"}
        },
        ("POST", "/api/v1/me/tokens"): {"json": {"name": "matrix"}},
        ("POST", "/api/v1/parties"): {
            "json": {"name": "Matrix Brigade", "kind": "militia", "source": "test"}
        },
        ("POST", "/api/v1/parties/{party_id}/aliases"): {
            "json": {"value": "Matrix alias", "kind": "informal"}
        },
        ("POST", "/api/v1/parties/{party_id}/relations"): {
            "json": {"relation": "allied_with", "object_party_id": ids["party-a"], "source": "test"}
        },
        ("POST", "/api/v1/places"): {
            "json": {
                "id": "matrix-place",
                "name": "Matrix Village",
                "kind": "village",
                "latitude": 36.3,
                "longitude": 37.1,
                "source": "test",
            }
        },
        ("POST", "/api/v1/places/{place_id}/names"): {"json": {"value": "Matrix name", "language": "en"}},
        ("POST", "/api/v1/areas"): {
            "json": {
                "id": "matrix-area",
                "name": "Matrix area",
                "kind": "besieged_area",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[37.15, 36.18], [37.2, 36.18], [37.2, 36.23], [37.15, 36.18]]],
                },
            }
        },
        ("POST", "/api/v1/agreements"): {
            "json": {
                "id": "matrix-calm",
                "name": "Matrix calm",
                "kind": "regime_of_calm",
                "starts_at": "2016-05-05T00:00:00+03:00",
                "scope_kind": "nationwide",
                "source": "test",
            }
        },
        ("POST", "/api/v1/agreements/{agreement_id}/stances"): {
            "json": {
                "party_id": ids["party-b"],
                "stance": "committed",
                "valid_from": "2016-03-01",
                "source": "test",
            }
        },
        ("POST", "/api/v1/agreements/{agreement_id}/status"): {
            "json": {"status": "suspended", "at": "2016-04-01T00:00:00+03:00", "source": "test"}
        },
        ("POST", "/api/v1/agreements/{agreement_id}/obligations"): {
            "json": {"kind": "prohibited_act", "category": "sniper_fire", "source": "test"}
        },
        ("POST", "/api/v1/messages"): {"json": {"channel": "hotline", "body": "A caller reports shelling."}},
        ("POST", "/api/v1/messages/{message_id}/reports"): {"json": CLAIM},
        ("POST", "/api/v1/reports"): {"json": CLAIM},
        ("POST", "/api/v1/reports/{report_id}/corrections"): {
            "json": CLAIM | {"note": "two killed, not three"}
        },
        ("POST", "/api/v1/reports/{report_id}/withdraw"): {"json": {"reason": "sent twice"}},
        ("POST", "/api/v1/public/reports"): {"json": CLAIM},
        ("POST", "/api/v1/public/receipts/{reference_code}/additions"): {
            "json": {"body": "The shelling started again at 18:00."}
        },
        ("POST", "/api/v1/evidence"): {
            "data": evidence_form,
            "files": {"file": ("note.txt", TEXT_FILE, "text/plain")},
        },
        ("POST", "/api/v1/evidence/urls"): {"json": {"url": "https://example.org/video"} | evidence_form},
        ("POST", "/api/v1/reports/{report_id}/evidence"): {"json": {"evidence_id": ids["ev-b"]}},
        ("POST", "/api/v1/incidents"): {"json": {"report_ids": [ids["unlinked-report"]], "title": "Matrix"}},
        ("POST", "/api/v1/incidents/{incident_id}/reports"): {"json": {"report_id": ids["unlinked-report"]}},
        ("POST", "/api/v1/incidents/{incident_id}/merge"): {
            "json": {"into_id": ids["inc-acc-a"], "reason": "the same shelling"}
        },
        ("POST", "/api/v1/incidents/{incident_id}/split"): {
            "json": {"report_ids": [ids["rep-b2"]], "title": "Matrix split"}
        },
        ("POST", "/api/v1/incidents/{incident_id}/stage"): {"json": {"to": "triage"}},
        ("POST", "/api/v1/incidents/{incident_id}/publication"): {"json": {"level": "parties"}},
        ("POST", "/api/v1/correlation/proposals/{pair_id}/accept"): {"json": {"reason": "matrix"}},
        ("POST", "/api/v1/correlation/proposals/{pair_id}/reject"): {"json": {"reason": "matrix"}},
        ("POST", "/api/v1/movements"): {"json": access_data.movement_data().model_dump(mode="json")},
        ("POST", "/api/v1/movements/{movement_id}/status"): {"json": {"status": "blocked", "note": "matrix"}},
        ("POST", "/api/v1/movements/{movement_id}/obstructions"): {
            "json": {"category": "impediments_to_entry", "at": at, "description": "waits at the border"}
        },
        ("POST", "/api/v1/approvals/{approval_id}/decision"): {"json": {"status": "granted"}},
        ("POST", "/api/v1/agreement-approvers"): {
            "json": {"agreement_id": ids["agreement"], "party_id": ids["party-a"]}
        },
        ("POST", "/api/v1/sites"): {"json": SITE},
        ("POST", "/api/v1/sites/{site_id}/acknowledgements"): {"json": {"party_id": ids["party-b"]}},
        ("POST", "/api/v1/corridors"): {"json": CORRIDOR},
        ("POST", "/api/v1/corridors/{corridor_id}/status"): {"json": {"status": "open", "at": at}},
        ("POST", "/api/v1/checkpoints"): {
            "json": {"name": "Matrix checkpoint", "operator": "SARC", "latitude": 36.24, "longitude": 37.15}
        },
        ("POST", "/api/v1/besieged-areas"): {
            "json": {
                "area_id": ids["area"],
                "name": "Matrix pocket",
                "since": at,
                "population": [{"min": 1000, "max": 2000, "source": "matrix"}],
            }
        },
        ("POST", "/api/v1/observation-posts"): {"json": POST},
        ("POST", "/api/v1/observation-posts/{post_id}/logs"): {"json": {"day": "2016-09-12"}},
        ("POST", "/api/v1/incidents/{incident_id}/determinations"): {
            "json": {"finding": "inconclusive", "rationale": "Not enough to decide."}
        },
    }


QUERIES = {
    "/api/v1/parties/resolve": "?name=Test%20Brigade",
    "/api/v1/places/resolve": "?q=Test%20Village",
}


def _url(row: Row, w: World, role: str, *, target_id: str | None = None) -> str:
    """The row's path with the target's id (or another id) and the route's query string."""
    first = (
        target_id
        or {
            "own-token": w.token_ids.get(role, w.token_ids["admin"]),
            "receipt-b": w.receipt,
        }.get(row.target)
        or w.ids.get(row.target, "")
    )
    path, params = row.path, []
    while "{" in path:
        name = path[path.index("{") + 1 : path.index("}")]
        params.append(name)
        value = first if len(params) == 1 else w.ids["rep-b"]
        path = path.replace("{" + name + "}", value, 1)
    return path + QUERIES.get(row.path, "")


@contextmanager
def undone(session: Session) -> Iterator[None]:
    """Run one request whose effects are rolled back afterwards, so each cell sees the same world."""
    session.commit()  # the world stays; what follows goes into a savepoint of our own
    connection = session.get_bind()
    assert isinstance(connection, Connection)
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        session.rollback()  # a request that failed leaves its transaction open
        savepoint.rollback()
        session.expunge_all()


def _normalised(response: Response, *ids: str) -> str:
    text = response.text
    for value in ids:
        text = text.replace(value, "<id>")
    return text


@dataclass
class Caller:
    """Sends the row's request as a role, in a rolled-back savepoint."""

    client: TestClient
    session: Session
    world: World
    bodies: dict[tuple[str, str], dict[str, Any]]

    def __call__(self, row: Row, role: str, *, target_id: str | None = None) -> Response:
        headers = {} if role == "anon" else {"Authorization": f"Bearer {self.world.tokens[role]}"}
        kwargs = self.bodies.get((row.method, row.path), {})
        with undone(self.session):
            return self.client.request(
                row.method, _url(row, self.world, role, target_id=target_id), headers=headers, **kwargs
            )


@pytest.fixture
def world(session: Session, app: FastAPI, settings: Settings) -> World:
    """The records of parties A and B every test here reads."""
    return build_world(session, app, settings)


@pytest.fixture
def call(client: TestClient, session: Session, world: World) -> Caller:
    """Send a table row's request as a role."""
    return Caller(client, session, world, _bodies(world))


def _check(row: Row, role: str, response: Response, call: Caller) -> str | None:
    """What is wrong with one cell's answer, or None."""
    expected, status = row.expected[role], response.status_code
    where = f"{row.method} {row.path} [{row.target}] as {role}: {status}"
    if status >= 500:
        return f"{where} (server error) {response.text[:200]}"
    if expected == "ok" and not 200 <= status < 300:
        return f"{where}, expected ok: {response.text[:300]}"
    if expected != "ok" and str(status) != expected:
        return f"{where}, expected {expected}: {response.text[:300]}"
    if CONTACT in response.text and not (row.path.endswith("/contact") and expected == "ok"):
        return f"{where}: the contact details leaked"
    # A refusal must not tell a record of party B from no record at all (for party A above all).
    hidden = expected == "404" or (role == "rep_a" and row.target in B_RECORDS and expected != "ok")
    if hidden and row.target in call.world.ids:
        target = call.world.ids[row.target]
        unknown = call(row, role, target_id=UNKNOWN)
        if _normalised(response, target) != _normalised(unknown, UNKNOWN):
            return f"{where}: differs from an unknown id's answer: {response.text} / {unknown.text}"
    if role == "rep_a" and 200 <= status < 300:
        seen = [k for k in B_RECORDS if call.world.ids[k] in response.text]
        if seen:
            return f"{where}: party B's records reached party A: {seen}"
    return None


B_RECORDS = ("msg-b", "rep-b", "rep-b2", "ev-b", "inc-b", "det-b", "mov-b", "appr-b")


def test_the_table_lists_every_route_the_api_serves(app: FastAPI) -> None:
    served = {(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops}
    listed = {(row.method, row.path) for row in ROWS}
    assert served - listed == set(), "routes without a decision in the access table"
    assert listed - served == set(), "routes in the access table the API does not serve"


def test_every_route_answers_every_role_as_the_table_says(call: Caller) -> None:
    problems = [
        problem
        for row in ROWS
        for role in ROLES
        if (problem := _check(row, role, call(row, role), call)) is not None
    ]
    assert problems == [], "\n".join(problems)


def test_party_a_lists_only_its_own_submissions_and_what_concerns_it(
    client: TestClient, world: World
) -> None:
    headers = {"Authorization": f"Bearer {world.tokens['rep_a']}"}
    reports = client.get("/api/v1/reports", headers=headers).json()
    assert {r["id"] for r in reports["items"]} == {world.ids["rep-a"]}
    messages = client.get("/api/v1/messages", headers=headers).json()
    assert {m["id"] for m in messages["items"]} == {world.ids["msg-a"]}
    found = client.get("/api/v1/incidents", headers=headers).json()
    assert {i["id"] for i in found["items"]} == {world.ids["inc-acc-a"], world.ids["inc-pub"]}
    public = client.get("/api/v1/public/incidents").json()
    assert {i["id"] for i in public["items"]} == {world.ids["inc-pub"]}


def test_other_reporters_are_withheld_from_the_party_accused(client: TestClient, world: World) -> None:
    url = f"/api/v1/incidents/{world.ids['inc-acc-a']}"
    [claim] = client.get(url, headers={"Authorization": f"Bearer {world.tokens['rep_a']}"}).json()["claims"]
    assert claim["redacted"] is True
    assert claim["source"] == "withheld"
    assert (claim["message_id"], claim["submitted_by_user_id"], claim["submitter_party_id"]) == (
        None,
        None,
        None,
    )
    assert "matrix-obs" not in json.dumps(claim)
    [full] = client.get(url, headers={"Authorization": f"Bearer {world.tokens['analyst']}"}).json()["claims"]
    assert full["redacted"] is False
    assert full["message_id"] is not None
    assert full["source"] == "matrix-obs"


def test_contact_details_are_shown_to_sensitive_roles_only_and_every_view_is_audited(
    client: TestClient, session: Session, world: World
) -> None:
    url = f"/api/v1/messages/{world.ids['msg-a']}/contact"
    views = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "message.view_contact")
    before = session.scalar(views)
    for role in ("analyst", "admin"):
        response = client.get(url, headers={"Authorization": f"Bearer {world.tokens[role]}"})
        assert response.json() == {"message_id": world.ids["msg-a"], "contact": CONTACT}
    assert session.scalar(views) == (before or 0) + 2
    for role in ("liaison", "rep_a"):
        response = client.get(url, headers={"Authorization": f"Bearer {world.tokens[role]}"})
        assert response.status_code == 403
    message = client.get(
        f"/api/v1/messages/{world.ids['msg-a']}",
        headers={"Authorization": f"Bearer {world.tokens['rep_a']}"},
    ).json()
    assert message["has_contact"] is True
    assert CONTACT not in json.dumps(message)
