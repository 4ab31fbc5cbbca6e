"""Agreement use cases against the database: all-or-nothing creation, stances, status, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.agreements import service, stances
from ceasefire.agreements.models import Agreement, AgreementParty, AgreementStatusChange
from ceasefire.agreements.schemas import AgreementCreate, ObligationCreate, StanceCreate, StatusChangeCreate
from ceasefire.audit.models import AuditEntry
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import Stance
from ceasefire.parties.models import PartyStance
from tests.factories import make_agreement, make_area, make_party

COH_START_UTC = datetime(2016, 2, 26, 22, tzinfo=UTC)


def _audit(session: Session, action: str, entity_id: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity_id == entity_id)
    return list(session.scalars(query))


def _stance(session: Session, agreement_id: str, party_id: str, stance: str, start: date, **extra: object):
    data = StanceCreate(party_id=party_id, stance=stance, valid_from=start, source="test source", **extra)
    return stances.record_stance(session, agreement_id=agreement_id, data=data, actor=SYSTEM)


def test_the_coh_is_stored_in_utc_and_shown_in_damascus_time(session: Session) -> None:
    make_agreement(session, id="coh-test", starts_at="2016-02-27T00:00:00+02:00")
    read = service.read_agreement(session, agreement_id="coh-test", on=date(2016, 3, 1))
    assert read.starts_at == COH_START_UTC
    assert read.starts_local.isoformat() == "2016-02-27T00:00:00+02:00"
    assert [(h.status, h.at) for h in read.status_history] == [("in_force", COH_START_UTC)]
    entry = _audit(session, "agreement.create", "coh-test")[0]
    assert entry.changes["starts_at"] == "2016-02-26T22:00:00+00:00"


def test_an_agreement_is_not_stored_when_one_area_is_unknown(session: Session) -> None:
    area, party = make_area(session), make_party(session)
    data = AgreementCreate(
        id="aleppo-partial",
        name="Partial",
        kind="regime_of_calm",
        starts_at=datetime(2016, 5, 5, tzinfo=UTC),
        scope_kind="areas",
        areas=[{"area_id": area.id}, {"area_id": "no-such-area"}],
        parties=[{"party_id": party.id, "role": "signatory"}],
        obligations=[{"kind": "prohibited_act", "category": "shelling"}],
    )
    with pytest.raises(NotFound) as caught:
        service.create_agreement(session, data=data, actor=SYSTEM)
    assert caught.value.field == "areas.1.area_id"
    assert session.get(Agreement, "aleppo-partial") is None
    assert session.scalar(select(func.count()).select_from(AgreementParty)) == 0
    assert _audit(session, "agreement.create", "aleppo-partial") == []


def test_unknown_parties_and_parents_are_named(session: Session) -> None:
    with pytest.raises(NotFound) as party:
        make_agreement(session, parties=[{"party_id": "nobody", "role": "signatory"}])
    assert party.value.field == "parties.0.party_id"
    with pytest.raises(NotFound) as parent:
        make_agreement(session, kind="extension", parent_id="no-such-coh")
    assert parent.value.field == "parent_id"


def test_a_child_cannot_start_before_its_parent_and_an_extension_needs_one(session: Session) -> None:
    make_agreement(session, id="coh-parent")
    with pytest.raises(Invalid) as early:
        make_agreement(
            session, kind="extension", parent_id="coh-parent", starts_at="2016-02-20T00:00:00+02:00"
        )
    assert early.value.code == "child_before_parent"
    with pytest.raises(Invalid) as orphan:
        make_agreement(session, kind="extension")
    assert orphan.value.code == "parent_required"


def test_a_stance_for_an_unknown_party_stores_nothing(session: Session) -> None:
    make_agreement(session, id="coh-nobody")
    with pytest.raises(NotFound) as caught:
        _stance(session, "coh-nobody", "no-such-party", "committed", date(2016, 2, 26))
    assert caught.value.field == "party_id"
    assert stances.list_stances(session, agreement_id="coh-nobody") == []
    assert session.scalar(select(func.count()).select_from(PartyStance)) == 0


def test_a_later_stance_closes_the_open_one_and_other_overlaps_are_refused(session: Session) -> None:
    make_agreement(session, id="coh-ahrar")
    ahrar = make_party(session, id="ahrar-test", name="Ahrar test")
    first = _stance(session, "coh-ahrar", ahrar.id, "committed", date(2016, 2, 26))
    second = _stance(session, "coh-ahrar", ahrar.id, "rejected", date(2016, 9, 12))
    assert first.valid_to == date(2016, 9, 11)
    assert second.valid_to is None
    assert _audit(session, "stance.close", str(first.id))[0].changes == {"valid_to": [None, "2016-09-11"]}
    with pytest.raises(Conflict) as caught:
        _stance(session, "coh-ahrar", ahrar.id, "unknown", date(2016, 3, 1), valid_to=date(2016, 3, 31))
    assert caught.value.code == "stance_overlap"
    assert len(stances.list_stances(session, agreement_id="coh-ahrar")) == 2
    on_day = stances.stance_of(session, agreement_id="coh-ahrar", party_id=ahrar.id, on=date(2016, 9, 11))
    assert on_day is not None
    assert on_day.stance is Stance.COMMITTED


def test_a_child_inherits_stances_it_does_not_record_itself(session: Session) -> None:
    make_agreement(session, id="coh-main")
    make_agreement(
        session,
        id="aleppo-ext",
        kind="extension",
        parent_id="coh-main",
        starts_at="2016-05-04T00:00:00+03:00",
    )
    army, nusra, zenki = (
        make_party(session, id=i, name=n)
        for i, n in [("army-t", "Army"), ("nusra-t", "Nusra"), ("zenki-t", "Zenki")]
    )
    _stance(session, "coh-main", army.id, "committed", date(2016, 2, 26))
    _stance(session, "coh-main", nusra.id, "excluded", date(2016, 2, 22))
    _stance(session, "coh-main", zenki.id, "committed", date(2016, 2, 26))
    _stance(session, "aleppo-ext", zenki.id, "rejected", date(2016, 5, 4))
    read = service.read_agreement(session, agreement_id="aleppo-ext", on=date(2016, 5, 5))
    committed = {e.party_id: e for e in read.committed_parties}
    assert set(committed) == {"army-t"}
    assert committed["army-t"].inherited
    assert committed["army-t"].from_agreement_id == "coh-main"
    assert "inherited from coh-main" in committed["army-t"].explanation
    assert [e.party_id for e in read.excluded_parties] == ["nusra-t"]
    assert [(e.party_id, e.inherited) for e in read.rejected_parties] == [("zenki-t", False)]
    # The parent is unaffected by its child's own records.
    parent = service.read_agreement(session, agreement_id="coh-main", on=date(2016, 5, 5))
    assert {e.party_id for e in parent.committed_parties} == {"army-t", "zenki-t"}


def test_an_instant_is_judged_on_its_local_day(session: Session) -> None:
    make_agreement(session, id="coh-day")
    party = make_party(session, id="day-party", name="Day party")
    _stance(session, "coh-day", party.id, "committed", date(2016, 2, 27))
    # 22:30 UTC on the 26th is already the 27th in Damascus.
    late = datetime(2016, 2, 26, 22, 30, tzinfo=UTC)
    found = stances.parties_with_stance(session, agreement_id="coh-day", on=late, stance=Stance.COMMITTED)
    assert [e.party_id for e in found] == ["day-party"]
    assert (
        stances.parties_with_stance(
            session, agreement_id="coh-day", on=date(2016, 2, 26), stance=Stance.COMMITTED
        )
        == []
    )


def test_status_history_is_appended_in_order_only(session: Session) -> None:
    make_agreement(session, id="coh-status")
    change = StatusChangeCreate(
        status="suspended", at=datetime(2016, 9, 19, 18, tzinfo=UTC), source="EA WorldView"
    )
    service.change_status(session, agreement_id="coh-status", data=change, actor=SYSTEM)
    earlier = StatusChangeCreate(status="collapsed", at=datetime(2016, 9, 1, tzinfo=UTC), source="press")
    with pytest.raises(Invalid) as caught:
        service.change_status(session, agreement_id="coh-status", data=earlier, actor=SYSTEM)
    assert caught.value.code == "status_out_of_order"
    query = select(AgreementStatusChange.status).where(AgreementStatusChange.agreement_id == "coh-status")
    assert list(session.scalars(query.order_by(AgreementStatusChange.at))) == ["in_force", "suspended"]
    assert len(_audit(session, "agreement.status_change", "coh-status")) == 1


def test_agreements_in_force_follow_time_scope_and_status(session: Session) -> None:
    make_agreement(session, id="coh-force")
    make_agreement(
        session,
        id="calm-force",
        kind="regime_of_calm",
        parent_id="coh-force",
        starts_at="2016-05-05T00:00:00+03:00",
        ends_at="2016-05-07T00:00:00+03:00",
    )
    suspend = StatusChangeCreate(status="suspended", at=datetime(2016, 9, 19, 18, tzinfo=UTC))
    service.change_status(session, agreement_id="coh-force", data=suspend, actor=SYSTEM)

    def ids(at: datetime) -> set[str]:
        return {a.id for a in service.agreements_in_force(session, at=at)} & {"coh-force", "calm-force"}

    assert ids(datetime(2016, 5, 3, 12, tzinfo=UTC)) == {"coh-force"}
    assert ids(datetime(2016, 5, 5, 12, tzinfo=UTC)) == {"coh-force", "calm-force"}
    assert ids(datetime(2016, 9, 20, tzinfo=UTC)) == set()
    page = service.list_agreements(session, page=PageRequest(), parent_id="coh-force")
    assert [a.id for a in page.items] == ["calm-force"]


def test_obligations_are_added_and_audited(session: Session) -> None:
    make_agreement(session, id="coh-obl")
    data = ObligationCreate(kind="required_action", category="allow_humanitarian_access", source="ISSG")
    obligation = service.add_obligation(session, agreement_id="coh-obl", data=data, actor=SYSTEM)
    read = service.read_agreement(session, agreement_id="coh-obl", on=date(2016, 3, 1))
    assert [o.category for o in read.obligations] == ["allow_humanitarian_access"]
    assert _audit(session, "agreement.obligation_add", "coh-obl")[0].changes["obligation_id"] == obligation.id
