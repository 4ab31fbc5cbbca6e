"""Reading interchange documents: envelope, YAML read like JSON, local times, GeoJSON, issue text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire.interchange.errors import Issue, Rejected
from ceasefire.interchange.format import Bundle, add_document, parse_text, read_files, resolve_local_time


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2016-02-27T00:00 Asia/Damascus", "2016-02-26T22:00:00Z"),  # winter: UTC+2
        ("2016-09-12T19:00 Asia/Damascus", "2016-09-12T16:00:00Z"),  # summer: UTC+3
        ("2016-09-09T23:30:15 Europe/Zurich", "2016-09-09T21:30:15Z"),
        ("2016-02-27T00:00:00+02:00", "2016-02-27T00:00:00+02:00"),  # an offset is left to the schema
        ("Damascus at midnight", "Damascus at midnight"),
    ],
)
def test_local_times_are_resolved_through_the_tz_database(written: str, instant: str) -> None:
    assert resolve_local_time(written) == instant


def test_an_unknown_zone_is_rejected_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "format: ceasefire-registry\nversion: 1\nagreements:\n  - starts_at: 2016-01-01T00:00 Mars/Olympus\n"
    )
    with pytest.raises(Rejected) as caught:
        read_files([path])
    assert caught.value.issues[0].file == str(path)
    assert caught.value.issues[0].code == "unknown_timezone"


def test_yaml_dates_stay_text_so_yaml_reads_exactly_like_json() -> None:
    document = parse_text("a: 2016-02-27\nb: 2016-02-27 00:00:00\n", name="x.yaml")
    assert document == {"a": "2016-02-27", "b": "2016-02-27 00:00:00"}


def test_a_bare_feature_collection_is_read_as_areas() -> None:
    bundle = Bundle()
    feature = {
        "type": "Feature",
        "id": "zone",
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
        "properties": {"name": "Zone", "kind": "other"},
    }
    add_document(bundle, {"type": "FeatureCollection", "features": [feature]}, file="zone.geojson")
    [item] = bundle.items["areas"]
    assert item.item_id == "zone"
    assert item.data["name"] == "Zone"
    assert item.data["geometry"]["type"] == "Polygon"


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"format": "something-else", "version": 1}, "format"),
        ({"format": "ceasefire-registry", "version": 2}, "version"),
        ({"format": "ceasefire-registry", "version": 1, "treaties": []}, "treaties"),
        ([1, 2, 3], "format"),
    ],
)
def test_documents_of_another_format_or_version_are_rejected(document: object, field: str) -> None:
    with pytest.raises(Rejected) as caught:
        add_document(Bundle(), document, file="doc.json")
    assert caught.value.issues[0].field == field


def test_unparsable_text_is_rejected_naming_the_file() -> None:
    with pytest.raises(Rejected) as caught:
        parse_text("{not json", name="broken.json")
    assert caught.value.issues[0].file == "broken.json"
    assert caught.value.issues[0].code == "unparsable"


def test_an_issue_reads_file_item_and_field_first() -> None:
    issue = Issue(
        file="parties.yaml",
        section="parties",
        index=3,
        item_id="jabhat-al-nusra",
        field="aliases.2.valid_from",
        message="Input should be a valid date",
    )
    assert str(issue) == (
        "parties.yaml: parties[3] (id=jabhat-al-nusra) field aliases.2.valid_from: "
        "Input should be a valid date"
    )
