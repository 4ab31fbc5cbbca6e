"""Importing registry documents: all or nothing, idempotent, conflicts refused, problems located."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.agreements import find_agreement
from ceasefire.interchange import Conflicting, ImportReport, Rejected, export_registry, import_bundle
from ceasefire.interchange.format import FORMAT, VERSION, Bundle, add_document
from ceasefire.kernel.actor import SYSTEM
from ceasefire.parties import find_party
from ceasefire.parties.models import Party
from ceasefire.places import get_area
from tests.factories import make_party

RING = [[37.15, 36.18], [37.20, 36.18], [37.20, 36.23], [37.15, 36.23], [37.15, 36.18]]
BOWTIE = [[37.15, 36.18], [37.20, 36.23], [37.20, 36.18], [37.15, 36.23], [37.15, 36.18]]


def _party(party_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": party_id,
        "name": party_id.replace("-", " ").title(),
        "kind": "militia",
        "source": "test",
    } | extra


def _area(area_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area_id,
        "geometry": {"type": "Polygon", "coordinates": [RING]},
        "properties": {"name": area_id, "kind": "besieged_area", "source": "test"} | extra,
    }


def _agreement(agreement_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": agreement_id,
        "name": agreement_id,
        "kind": "regime_of_calm",
        "starts_at": "2016-05-05T00:00 Asia/Damascus",
        "scope_kind": "nationwide",
        "source": "test",
    } | extra


def _doc(**sections: Any) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION} | sections


def _import(session: Session, *documents: dict[str, Any], dry_run: bool = False) -> ImportReport:
    bundle = Bundle()
    for n, document in enumerate(documents):
        add_document(bundle, document, file=f"doc{n}.json")
    return import_bundle(session, bundle, actor=SYSTEM, dry_run=dry_run)


def _count(session: Session, *ids: str) -> int:
    return session.scalar(select(func.count()).select_from(Party).where(Party.id.in_(ids))) or 0


def test_importing_twice_stores_once_and_then_skips_identical_items(session: Session) -> None:
    document = _doc(
        parties=[_party("liwa-test", aliases=[{"value": "لواء", "language": "ar"}])],
        areas={"type": "FeatureCollection", "features": [_area("siege-test")]},
        agreements=[_agreement("calm-test", status="announced", status_at="2016-05-04T12:00 Asia/Damascus")],
        stances=[
            {
                "agreement_id": "calm-test",
                "party_id": "liwa-test",
                "stance": "committed",
                "valid_from": "2016-05-05",
                "source": "test",
            }
        ],
    )
    first = _import(session, document)
    assert first.created == {
        "parties": 1,
        "places": 0,
        "areas": 1,
        "agreements": 1,
        "stances": 1,
        "relations": 0,
        "reports": 0,
        "incidents": 0,
    }
    second = _import(session, document)
    assert second.total_created == 0
    assert second.unchanged == first.created


def test_one_bad_item_stores_nothing_and_names_file_item_and_field(session: Session) -> None:
    good, bad = _party("good-one"), _party("bad-one", aliases=[{"value": "Bad", "valid_from": "July 2016"}])
    with pytest.raises(Rejected) as caught:
        _import(session, _doc(parties=[good, bad]))
    [issue] = caught.value.issues
    assert (issue.file, issue.section, issue.index, issue.item_id) == ("doc0.json", "parties", 1, "bad-one")
    assert issue.field == "aliases.0.valid_from"
    assert _count(session, "good-one", "bad-one") == 0


def test_every_bad_item_is_reported_at_once(session: Session) -> None:
    areas = {
        "type": "FeatureCollection",
        "features": [
            _area("bowtie") | {"geometry": {"type": "Polygon", "coordinates": [BOWTIE]}},
            _area("naive", valid_from="2016-08-28T00:00:00"),
        ],
    }
    with pytest.raises(Rejected) as caught:
        _import(session, _doc(parties=[_party("no-kind") | {"kind": "warlord"}], areas=areas))
    found = {(i.item_id, i.field, i.code) for i in caught.value.issues}
    assert ("no-kind", "kind", "enum") in found
    assert ("bowtie", "geometry", "invalid_geometry") in found
    assert ("naive", "valid_from", "naive_datetime") in found


def test_unknown_references_are_reported_before_anything_is_written(session: Session) -> None:
    agreement = _agreement(
        "calm-unknowns",
        scope_kind="areas",
        areas=[{"area_id": "nowhere"}],
        parties=[{"party_id": "nobody", "role": "signatory"}],
    )
    with pytest.raises(Rejected) as caught:
        _import(session, _doc(parties=[_party("somebody")], agreements=[agreement]))
    fields = {(i.field, i.code) for i in caught.value.issues}
    assert fields == {("parties.0.party_id", "party_not_found"), ("areas.0.area_id", "area_not_found")}
    assert _count(session, "somebody") == 0


def test_a_refusal_while_writing_rolls_back_the_items_written_before_it(session: Session) -> None:
    make_party(session, id="holder", name="Holder", kind="militia", aliases=[{"value": "Lions of the East"}])
    claimant = _party("claimant", aliases=[{"value": "Lions of the East"}])
    with pytest.raises(Rejected) as caught:
        _import(session, _doc(parties=[_party("first-written"), claimant]))
    [issue] = caught.value.issues
    assert (issue.item_id, issue.field, issue.code) == ("claimant", "aliases.0.value", "alias_claimed")
    assert _count(session, "first-written", "claimant") == 0
    assert find_party(session, party_id="holder") is not None


def test_an_item_differing_from_the_stored_one_is_a_conflict_and_nothing_is_overwritten(
    session: Session,
) -> None:
    _import(session, _doc(parties=[_party("stable", description="as first stored")]))
    changed = _party("stable", description="rewritten")
    with pytest.raises(Conflicting) as caught:
        _import(session, _doc(parties=[_party("newcomer"), changed]))
    [issue] = caught.value.issues
    assert (issue.item_id, issue.field, issue.code) == ("stable", "description", "conflict")
    assert "as first stored" in issue.message
    stored = find_party(session, party_id="stable")
    assert stored is not None
    assert stored.description == "as first stored"
    assert _count(session, "newcomer") == 0


def test_the_same_id_twice_in_one_import_with_different_content_is_a_conflict(session: Session) -> None:
    with pytest.raises(Conflicting) as caught:
        _import(session, _doc(parties=[_party("twice")]), _doc(parties=[_party("twice", kind="coalition")]))
    [issue] = caught.value.issues
    assert (issue.file, issue.field) == ("doc1.json", "kind")
    assert "doc0.json: parties[0]" in issue.message


def test_status_history_out_of_order_is_refused_naming_the_entry(session: Session) -> None:
    agreement = _agreement(
        "calm-disorder",
        status_history=[
            {"status": "lapsed", "at": "2016-05-07T00:00 Asia/Damascus", "source": "test"},
            {"status": "suspended", "at": "2016-05-06T00:00 Asia/Damascus", "source": "test"},
        ],
    )
    with pytest.raises(Rejected) as caught:
        _import(session, _doc(agreements=[agreement]))
    [issue] = caught.value.issues
    assert (issue.field, issue.code) == ("status_history.1.at", "status_out_of_order")
    assert find_agreement(session, "calm-disorder") is None


def test_a_child_listed_before_its_parent_is_written_after_it(session: Session) -> None:
    parent = _agreement("parent-calm", kind="cessation_of_hostilities")
    child = _agreement(
        "child-ext", kind="extension", parent_id="parent-calm", starts_at="2016-05-06T00:00 Asia/Damascus"
    )
    report = _import(session, _doc(agreements=[child, parent]))
    assert report.created["agreements"] == 2
    stored = find_agreement(session, "child-ext")
    assert stored is not None
    assert stored.parent_id == "parent-calm"


def test_a_dry_run_reports_what_it_would_store_and_stores_nothing(session: Session) -> None:
    report = _import(session, _doc(parties=[_party("maybe")]), dry_run=True)
    assert report.dry_run
    assert report.created["parties"] == 1
    assert _count(session, "maybe") == 0


def test_a_bare_feature_collection_imports_as_areas_and_exports_as_geojson(session: Session) -> None:
    _import(session, {"type": "FeatureCollection", "features": [_area("plain-geojson", party_id=None)]})
    assert get_area(session, area_id="plain-geojson").kind == "besieged_area"
    exported = export_registry(session)["areas"]
    assert exported["type"] == "FeatureCollection"
    [feature] = [f for f in exported["features"] if f["id"] == "plain-geojson"]
    assert feature["geometry"] == {"type": "Polygon", "coordinates": [RING]}
    assert feature["properties"]["kind"] == "besieged_area"


def test_an_export_lists_items_sorted_with_instants_in_utc(session: Session) -> None:
    _import(
        session,
        _doc(parties=[_party("zeta-test"), _party("alpha-test")], agreements=[_agreement("utc-calm")]),
    )
    document = export_registry(session)
    ids = [p["id"] for p in document["parties"]]
    assert ids == sorted(ids)
    [calm] = [a for a in document["agreements"] if a["id"] == "utc-calm"]
    assert calm["starts_at"] == "2016-05-04T21:00:00Z"
    assert calm["status_at"] == "2016-05-04T21:00:00Z"
