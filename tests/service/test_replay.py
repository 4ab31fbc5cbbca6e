"""The 2016 replay loaded into a database of its own (once per module): what a user of the demo finds,
loading it twice, and the export -> import -> export round trip."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.agreements import service as agreements
from ceasefire.agreements import stances
from ceasefire.audit.models import AuditEntry
from ceasefire.cli.demo import registry_counts
from ceasefire.db.engine import create_engine_for, session_factory, transaction
from ceasefire.interchange import dumps, export_registry, import_bundle, load_replay
from ceasefire.interchange.format import Bundle, add_document, parse_text
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.vocab import Stance
from ceasefire.migrations.runner import upgrade
from ceasefire.parties import get_party, resolve_party
from ceasefire.parties.models import PartyAlias
from ceasefire.places import areas_containing, get_place, load_gazetteer
from tests.conftest import new_database_url

COH_START = datetime(2016, 2, 26, 22, tzinfo=UTC)


def _ids(found: list[stances.EffectiveStance]) -> set[str]:
    return {e.party_id for e in found}


def test_the_replay_holds_the_agreements_parties_and_areas_of_2016(replay: Session) -> None:
    counts = registry_counts(replay)
    assert counts["parties"] >= 30
    assert counts["agreements"] == 7
    assert counts["areas"] == 4
    assert counts["places"] > 600  # the gazetteer, plus the two Castello road checkpoints
    for agreement_id in (
        "coh-2016",
        "coh-2016-aleppo",
        "aleppo-regime-of-calm-2016-05",
        "sep-2016-arrangement",
    ):
        assert agreements.find_agreement(replay, agreement_id) is not None
    extension = agreements.read_agreement(replay, agreement_id="coh-2016-aleppo")
    assert extension.parent_id == "coh-2016"
    assert [a.area_id for a in extension.areas] == ["aleppo-city"]


def test_loading_the_replay_again_adds_nothing(replay: Session) -> None:
    before = registry_counts(replay)
    audit_before = replay.scalar(select(func.count()).select_from(AuditEntry))
    summary = load_replay(replay, actor=SYSTEM)
    assert summary.registry.total_created == 0
    assert summary.gazetteer.places_added == 0
    assert summary.registry.total_unchanged == 92 + 8 + 5  # registry items, reports, incidents
    assert registry_counts(replay) == before
    assert replay.scalar(select(func.count()).select_from(AuditEntry)) == audit_before


def test_the_coh_starts_at_midnight_damascus_time(replay: Session) -> None:
    coh = agreements.read_agreement(replay, agreement_id="coh-2016", on=date(2016, 3, 1))
    assert coh.starts_at == COH_START
    assert coh.starts_local.isoformat() == "2016-02-27T00:00:00+02:00"
    assert [(h.status, h.at) for h in coh.status_history] == [
        ("announced", datetime(2016, 2, 21, 22, tzinfo=UTC)),
        ("in_force", COH_START),
    ]
    assert {p.party_id for p in coh.parties if p.role == "co_chair"} == {
        "united-states",
        "russian-federation",
    }
    assert {p.party_id for p in coh.parties if p.role == "secretariat"} == {"un-ose-syria"}
    categories = {(o.kind, o.category) for o in coh.obligations}
    assert ("prohibited_act", "air_strike") in categories
    assert ("prohibited_act", "territorial_seizure") in categories
    assert ("required_action", "exhaust_non_forcible_means") in categories


def test_nusra_renamed_jabhat_fatah_al_sham_is_one_party_with_dated_names(replay: Session) -> None:
    nusra = get_party(replay, party_id="jabhat-al-nusra")
    dated = {a.value: (a.valid_from, a.valid_to) for a in nusra.aliases}
    assert dated["Jabhat al-Nusra"] == (None, date(2016, 7, 27))
    assert dated["Jabhat Fatah al-Sham"] == (date(2016, 7, 28), None)
    assert dated["جبهة فتح الشام"] == (date(2016, 7, 28), None)
    holders = replay.scalars(select(PartyAlias.party_id).where(PartyAlias.normalized.like("%nusra%")))
    assert set(holders) == {"jabhat-al-nusra"}
    [best, *_] = resolve_party(replay, "Jabhat Fatah al-Sham", on=date(2016, 9, 15))
    assert best.party_id == "jabhat-al-nusra"
    assert best.name_on == "Jabhat Fatah al-Sham"


def test_stances_toward_the_coh_and_the_september_arrangement(replay: Session) -> None:
    on_coh = date(2016, 3, 1)
    excluded = stances.parties_with_stance(replay, agreement_id="coh-2016", on=on_coh, stance=Stance.EXCLUDED)
    assert _ids(excluded) == {"islamic-state", "jabhat-al-nusra"}
    committed = stances.parties_with_stance(
        replay, agreement_id="coh-2016", on=on_coh, stance=Stance.COMMITTED
    )
    assert {"syrian-government-forces", "russian-armed-forces", "jaysh-al-islam"} <= _ids(committed)
    ahrar = stances.stance_of(replay, agreement_id="coh-2016", party_id="ahrar-al-sham", on=on_coh)
    assert ahrar is not None
    assert ahrar.stance is Stance.UNKNOWN
    on_sep = date(2016, 9, 15)
    rejected = stances.parties_with_stance(
        replay, agreement_id="sep-2016-arrangement", on=on_sep, stance=Stance.REJECTED
    )
    assert _ids(rejected) == {
        "ahrar-al-sham",
        "jaysh-al-islam",
        "nour-al-din-al-zenki",
        "division-13",
        "division-101",
    }
    # A child agreement inherits: Islamic State stays excluded under the regime of calm.
    inherited = stances.stance_of(
        replay, agreement_id="aleppo-regime-of-calm-2016-05", party_id="islamic-state", on=date(2016, 5, 5)
    )
    assert inherited is not None
    assert (inherited.stance, inherited.from_agreement_id) == (Stance.EXCLUDED, "coh-2016")


@pytest.mark.parametrize(
    ("instant", "in_force", "not_in_force"),
    [
        # Worked case 4: on 3 May the CoH applies, the Aleppo extension and regime of calm not yet.
        ("2016-05-03T14:00:00+03:00", {"coh-2016"}, {"coh-2016-aleppo", "aleppo-regime-of-calm-2016-05"}),
        ("2016-05-05T14:00:00+03:00", {"aleppo-regime-of-calm-2016-05"}, set()),
        ("2016-09-15T12:00:00+03:00", {"sep-2016-arrangement", "castello-road-corridor-2016"}, set()),
        ("2016-09-20T12:00:00+03:00", set(), {"sep-2016-arrangement", "castello-road-corridor-2016"}),
        ("2016-10-21T12:00:00+03:00", {"oct-2016-humanitarian-pause"}, set()),
        ("2016-10-23T12:00:00+03:00", set(), {"oct-2016-humanitarian-pause"}),
    ],
)
def test_which_agreements_are_in_force_when(
    replay: Session, instant: str, in_force: set[str], not_in_force: set[str]
) -> None:
    found = {a.id for a in agreements.agreements_in_force(replay, at=datetime.fromisoformat(instant))}
    assert in_force <= found
    assert not (not_in_force & found)


def test_the_areas_lie_where_the_places_are(replay: Session) -> None:
    post = get_place(replay, place_id="castello-road-observation-point")
    during = datetime(2016, 9, 14, 12, tzinfo=UTC)
    assert "castello-road-zone" in {
        a.id for a in areas_containing(replay, lon=post.longitude, lat=post.latitude, at=during)
    }
    after = datetime(2016, 9, 25, 12, tzinfo=UTC)
    assert "castello-road-zone" not in {
        a.id for a in areas_containing(replay, lon=post.longitude, lat=post.latitude, at=after)
    }
    hospital = get_place(replay, place_id="aleppo-al-dabbeet-hospital")  # in government-held Aleppo
    holding = {
        a.id for a in areas_containing(replay, lon=hospital.longitude, lat=hospital.latitude, at=during)
    }
    assert "aleppo-city" in holding
    assert "east-aleppo-besieged" not in holding


def test_export_import_export_gives_the_same_document(replay: Session, tmp_path: Path) -> None:
    first = dumps(export_registry(replay))
    url, drop = new_database_url(tmp_path)
    engine = create_engine_for(url)
    try:
        upgrade(engine)
        with transaction(session_factory(engine)) as session:
            load_gazetteer(session, actor=SYSTEM)  # shipped reference data, not part of an export
            bundle = Bundle()
            add_document(bundle, parse_text(first, name="registry.json"), file="registry.json")
            report = import_bundle(session, bundle, actor=SYSTEM)
        assert report.total_created == 92
        with transaction(session_factory(engine)) as session:
            second = dumps(export_registry(session))
    finally:
        engine.dispose()
        drop()
    assert second == first
