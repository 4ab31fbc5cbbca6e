"""The 2016 replay package as data: every item cites a source, the manifest lists files and sources,
and every item passes its schema and the domains' pure rules (no database needed)."""

from __future__ import annotations

from typing import Any

import pytest

from ceasefire.interchange.format import RawItem
from ceasefire.interchange.load import Entry, parse_item
from ceasefire.interchange.replay import replay_bundle, replay_folder, replay_manifest

NESTED_SOURCED = ("parties", "obligations", "status_history")


def _items() -> list[RawItem]:
    return list(replay_bundle())


def _urls(value: Any) -> list[str]:
    """Every source_url nested in an item."""
    if isinstance(value, dict):
        own = [value["source_url"]] if value.get("source_url") else []
        return own + [u for v in value.values() for u in _urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in _urls(v)]
    return []


def test_every_replay_item_cites_its_source() -> None:
    items = _items()
    assert len(items) > 80
    unsourced = [
        f"{i.file} {i.section}[{i.index}]" for i in items if not str(i.data.get("source") or "").strip()
    ]
    assert unsourced == []
    for item in (i for i in items if i.section == "agreements"):
        for part in NESTED_SOURCED:
            for n, nested in enumerate(item.data.get(part, [])):
                assert str(nested.get("source") or "").strip(), f"{item.item_id} {part}[{n}] has no source"


def test_every_cited_address_is_listed_in_the_manifest_sources() -> None:
    listed: set[str] = set()
    for source in replay_manifest()["sources"]:
        assert source["title"]
        assert source["outlet"]
        assert source["date"]
        listed.update([source["url"]] if "url" in source else source.get("urls", []))
    cited = {url for item in _items() for url in _urls(item.data)}
    assert cited, "the replay cites addresses"
    assert cited - listed == set()


def test_the_manifest_lists_every_data_file_in_load_order() -> None:
    manifest = replay_manifest()
    present = {p.name for p in replay_folder().iterdir() if p.name != "manifest.yaml"}
    assert set(manifest["files"]) == present
    assert manifest["files"][0] == "parties.yaml"
    assert manifest["format"] == "ceasefire-registry"


def test_polygons_say_they_are_approximate_illustrations() -> None:
    areas = [i for i in _items() if i.section == "areas"]
    assert {a.item_id for a in areas} >= {"east-aleppo-besieged", "castello-road-zone", "aleppo-city"}
    for area in areas:
        assert "approximate illustration" in area.data["source"]


@pytest.mark.parametrize("raw", _items(), ids=lambda r: f"{r.section}-{r.item_id or r.index}")
def test_every_replay_item_passes_its_schema_and_the_domain_rules(raw: RawItem) -> None:
    parsed = parse_item(raw)
    assert isinstance(parsed, Entry), [str(issue) for issue in parsed]  # type: ignore[union-attr]


def test_replay_times_are_damascus_wall_clock_resolved_through_the_tz_database() -> None:
    coh = next(i for i in _items() if i.item_id == "coh-2016")
    assert coh.data["starts_at"] == "2016-02-26T22:00:00Z"  # UTC+2 in winter
    september = next(i for i in _items() if i.item_id == "sep-2016-arrangement")
    assert september.data["starts_at"] == "2016-09-12T16:00:00Z"  # UTC+3 in summer
