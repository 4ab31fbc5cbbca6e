"""Party use cases against the database: creation with aliases, claims, relations, stances, resolution."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.agreements.models import Agreement
from ceasefire.audit.models import AuditEntry
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import PartyKind
from ceasefire.parties import service
from ceasefire.parties.models import PartyAlias, PartyStance
from ceasefire.parties.resolver import party_index, resolve_party
from ceasefire.parties.schemas import AliasCreate, RelationCreate
from tests.factories import make_party
from tests.parties_data import AHRAR, ISIL, NUSRA


def _aliases_of(session: Session, party_id: str) -> list[str]:
    query = select(PartyAlias.value).where(PartyAlias.party_id == party_id).order_by(PartyAlias.id)
    return list(session.scalars(query))


def _audit(session: Session, entity_id: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.entity_id == entity_id).order_by(AuditEntry.id)
    return list(session.scalars(query))


def test_creating_a_party_stores_its_name_as_an_official_alias_and_is_audited(session: Session) -> None:
    party = make_party(session, **ISIL)
    assert _aliases_of(session, party.id) == ["Islamic State", "ISIL", "ISIS", "Daesh", "ИГИЛ", "داعش"]
    own = session.scalar(select(PartyAlias).where(PartyAlias.value == "Islamic State"))
    assert own is not None
    assert own.kind == "official"
    assert own.language == "en"
    [entry] = _audit(session, "islamic-state")
    assert (entry.action, entry.entity_type, entry.actor) == ("party.create", "party", "system")
    assert entry.changes["name"] == "Islamic State"
    assert [a["value"] for a in entry.changes["aliases"]][:2] == ["Islamic State", "ISIL"]


def test_a_listed_alias_with_dates_replaces_the_undated_name(session: Session) -> None:
    make_party(session, **NUSRA)
    stored = session.scalars(select(PartyAlias).where(PartyAlias.value == "Jabhat al-Nusra")).all()
    assert [(a.valid_from, a.valid_to) for a in stored] == [(None, date(2016, 7, 27))]


def test_an_id_is_made_from_the_name_and_duplicates_are_refused(session: Session) -> None:
    party = make_party(session, name="Liwa al-Quds", kind="militia")
    assert party.id == "liwa-al-quds"
    with pytest.raises(Conflict) as caught:
        make_party(session, name="Liwa al Quds", kind="militia")
    assert (caught.value.code, caught.value.field) == ("party_exists", "id")
    with pytest.raises(Invalid) as no_latin:
        make_party(session, name="لواء القدس", kind="militia")
    assert no_latin.value.field == "id"


def test_a_name_claimed_by_another_party_on_the_same_date_stores_nothing(session: Session) -> None:
    make_party(session, **NUSRA)
    before = session.scalar(select(func.count()).select_from(PartyAlias))
    data = {
        "id": "copycat",
        "name": "Copycat Front",
        "kind": "militia",
        "aliases": [
            {"value": "Copycat"},
            {"value": "jabhat al nusra", "valid_from": "2016-07-01", "valid_to": "2016-07-31"},
        ],
    }
    with pytest.raises(Conflict) as caught:
        make_party(session, **data)
    assert (caught.value.code, caught.value.field) == ("alias_claimed", "aliases.1.value")
    assert "jabhat-al-nusra" in caught.value.message
    assert service.find_party(session, party_id="copycat") is None
    assert session.scalar(select(func.count()).select_from(PartyAlias)) == before
    assert _audit(session, "copycat") == []


def test_the_same_name_on_different_dates_may_belong_to_two_parties(session: Session) -> None:
    make_party(session, **NUSRA)
    later = make_party(
        session,
        id="successor",
        name="Successor Front",
        kind="militia",
        aliases=[{"value": "Jabhat al-Nusra", "valid_from": "2017-01-01"}],
    )
    assert "Jabhat al-Nusra" in _aliases_of(session, later.id)
    on_2017 = resolve_party(session, "Jabhat al-Nusra", on=date(2017, 3, 1))
    assert [c.party_id for c in on_2017[:2]] == ["successor", "jabhat-al-nusra"]
    assert on_2017[0].in_use
    assert not on_2017[1].in_use


def test_adding_an_alias_is_checked_against_other_parties_and_audited(session: Session) -> None:
    make_party(session, **NUSRA)
    ahrar = make_party(session, **AHRAR)
    with pytest.raises(Conflict) as caught:
        service.add_alias(
            session, party_id=ahrar.id, data=AliasCreate(value="JFS", valid_from="2016-09-01"), actor=SYSTEM
        )
    assert (caught.value.code, caught.value.field) == ("alias_claimed", "value")
    alias = service.add_alias(
        session, party_id=ahrar.id, data=AliasCreate(value="Ahrar ash-Sham"), actor=SYSTEM
    )
    assert alias.normalized == "ahrar ash sham"
    assert [e.action for e in _audit(session, ahrar.id)] == ["party.create", "party.add_alias"]
    with pytest.raises(NotFound):
        service.add_alias(session, party_id="nobody", data=AliasCreate(value="X"), actor=SYSTEM)


def _relate(session: Session, subject: str, relation: str, obj: str, **extra: Any) -> object:
    data = RelationCreate(relation=relation, object_party_id=obj, **extra)
    return service.add_relation(session, party_id=subject, data=data, actor=SYSTEM)


def test_relations_are_checked_listed_both_ways_and_audited(session: Session) -> None:
    nusra, ahrar = make_party(session, **NUSRA), make_party(session, **AHRAR)
    _relate(session, ahrar.id, "intermingled_with", nusra.id, valid_from="2016-02-27", source="Reuters")
    assert [r.subject_party_id for r in service.list_relations(session, party_id=nusra.id)] == [ahrar.id]
    assert _audit(session, ahrar.id)[-1].action == "party.add_relation"
    with pytest.raises(NotFound) as unknown:
        _relate(session, ahrar.id, "allied_with", "nobody")
    assert unknown.value.field == "object_party_id"
    with pytest.raises(Invalid) as itself:
        _relate(session, ahrar.id, "allied_with", ahrar.id)
    assert itself.value.code == "self_relation"


def test_part_of_cycles_are_refused(session: Session) -> None:
    brigade, division, front = (make_party(session) for _ in range(3))
    _relate(session, brigade.id, "part_of", division.id)
    _relate(session, division.id, "part_of", front.id)
    with pytest.raises(Conflict) as caught:
        _relate(session, front.id, "part_of", brigade.id)
    assert caught.value.code == "part_of_cycle"


def test_parties_are_listed_by_name_filtered_by_kind_and_any_alias(session: Session) -> None:
    make_party(session, **NUSRA)
    make_party(session, **ISIL)
    make_party(session, name="Syrian Arab Red Crescent", kind="humanitarian_organisation")
    page = service.list_parties(session, page=PageRequest(size=100), kind=PartyKind.NON_STATE_ARMED_GROUP)
    names = [p.name for p in page.items]
    assert "Syrian Arab Red Crescent" not in names
    assert names.index("Islamic State") < names.index("Jabhat al-Nusra")
    by_arabic = service.list_parties(session, page=PageRequest(), q="النصره")
    assert [p.id for p in by_arabic.items] == ["jabhat-al-nusra"]
    by_old = service.list_parties(session, page=PageRequest(), q="fatah al-sham")
    assert [p.id for p in by_old.items] == ["jabhat-al-nusra"]


def test_stances_are_read_by_date(session: Session) -> None:
    party = make_party(session, **AHRAR)
    session.add(
        Agreement(
            id="coh-test",
            name="CoH",
            kind="cessation_of_hostilities",
            starts_at=datetime(2016, 2, 26, 22, tzinfo=UTC),
            timezone="Asia/Damascus",
            scope_kind="nationwide",
        )
    )
    session.flush()
    for stance, start, end in (
        ("committed", date(2016, 2, 27), date(2016, 9, 11)),
        ("rejected", date(2016, 9, 12), None),
    ):
        session.add(
            PartyStance(
                party_id=party.id, agreement_id="coh-test", stance=stance, valid_from=start, valid_to=end
            )
        )
    session.flush()
    assert [s.stance for s in service.stances_of(session, party.id)] == ["committed", "rejected"]
    assert service.stance_on(session, party.id, "coh-test", date(2016, 2, 26)) is None
    on_may = service.stance_on(session, party.id, "coh-test", date(2016, 5, 5))
    assert on_may is not None
    assert on_may.stance == "committed"
    on_oct = service.stance_on(session, party.id, "coh-test", date(2016, 10, 18))
    assert on_oct is not None
    assert on_oct.stance == "rejected"
    read = service.read_party(session, party_id=party.id)
    assert [s.stance for s in read.stances] == ["committed", "rejected"]


def test_resolution_follows_the_rename_in_any_script(session: Session) -> None:
    make_party(session, **NUSRA)
    make_party(session, **ISIL)
    before = resolve_party(session, "Jabhat Fatah al-Sham", on=date(2016, 3, 1))[0]
    assert before.party_id == "jabhat-al-nusra"
    assert not before.in_use
    assert "on 2016-03-01 it was called Jabhat al-Nusra" in before.explanation
    after = resolve_party(session, "Nusra", on=date(2016, 9, 1))[0]
    assert after.party_id == "jabhat-al-nusra"
    assert "it was called Jabhat Fatah al-Sham" in after.explanation
    assert resolve_party(session, "جبهة النصرة")[0].party_id == "jabhat-al-nusra"
    assert resolve_party(session, "Джебхат ан-Нусра")[0].party_id == "jabhat-al-nusra"
    assert resolve_party(session, "ИГИЛ")[0].party_id == "islamic-state"


def test_the_index_is_reused_until_aliases_change(session: Session) -> None:
    party = make_party(session, **AHRAR)
    first = party_index(session)
    assert party_index(session) is first
    service.add_alias(session, party_id=party.id, data=AliasCreate(value="Harakat Ahrar"), actor=SYSTEM)
    rebuilt = party_index(session)
    assert rebuilt is not first
    assert rebuilt.resolve("Harakat Ahrar")[0].method == "exact"
