"""The registry interchange format: the envelope, reading files, local times, GeoJSON features.

A document is `{"format": "ceasefire-registry", "version": 1, <section>: ...}` with any of the
sections parties, places, areas, agreements, stances, relations (the registry) and reports,
incidents (claims, import only). `areas` is a GeoJSON FeatureCollection; the other sections are
lists of items shaped like the domains' Create schemas.
A bare GeoJSON FeatureCollection is read as a document holding only areas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from ceasefire.interchange.errors import Issue, Rejected
from ceasefire.kernel.errors import Invalid
from ceasefire.kernel.time import zone

FORMAT = "ceasefire-registry"
VERSION = 1
SECTIONS = ("parties", "places", "areas", "agreements", "stances", "relations")
"""Registry sections in the order they are written and imported (an item only refers to earlier ones)."""

WORKFLOW_SECTIONS = ("reports", "incidents")
"""Sections of claims, imported after the registry through the intake and incidents services."""

ALL_SECTIONS = SECTIONS + WORKFLOW_SECTIONS
"""Every section a document may hold, in import order."""

FEATURE_SECTIONS = ("places", "areas")
"""Sections that are GeoJSON FeatureCollections in a document."""

# "2016-02-27T00:00 Asia/Damascus": a wall-clock time in a named zone, resolved by the tz database.
_LOCAL_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)\s+([A-Za-z][A-Za-z0-9_+\-/]*)$")


class _StringDatesLoader(yaml.SafeLoader):
    """A safe YAML loader that leaves dates and times as strings, so YAML reads exactly like JSON."""


_StringDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item as read: where it came from (file, section, index) and its fields."""

    file: str
    section: str
    index: int
    data: dict[str, Any]

    @property
    def item_id(self) -> str | None:
        """The item's id, when it has one."""
        value = self.data.get("id")
        return str(value) if value is not None else None

    def issue(self, message: str, *, field: str | None = None, code: str = "invalid") -> Issue:
        """An issue pointing at this item."""
        return Issue(
            file=self.file,
            section=self.section,
            index=self.index,
            item_id=self.item_id,
            field=field,
            message=message,
            code=code,
        )


@dataclass(slots=True)
class Bundle:
    """Every item of one or more documents, per section, in reading order."""

    items: dict[str, list[RawItem]] = field(default_factory=lambda: {name: [] for name in ALL_SECTIONS})
    files: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[RawItem]:
        for name in ALL_SECTIONS:
            yield from self.items[name]

    def count(self) -> int:
        """How many items the bundle holds."""
        return sum(len(items) for items in self.items.values())


def resolve_local_time(value: str) -> str:
    """Turn "YYYY-MM-DDTHH:MM[:SS] Area/City" into an ISO UTC instant; other strings pass through."""
    match = _LOCAL_TIME.match(value)
    if match is None:
        return value
    wall, tz_name = match.groups()
    local = datetime.fromisoformat(wall).replace(tzinfo=zone(tz_name, field="timezone"))
    return iso_utc(local)


def iso_utc(value: datetime) -> str:
    """An aware instant as ISO 8601 in UTC with a Z (the one spelling exports use)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _resolve_times(value: Any) -> Any:
    if isinstance(value, str):
        return resolve_local_time(value)
    if isinstance(value, list):
        return [_resolve_times(v) for v in value]
    if isinstance(value, dict):
        return {k: _resolve_times(v) for k, v in value.items()}
    return value


def parse_text(text: str, *, name: str) -> Any:
    """Parse JSON, or YAML (a superset) for .yaml/.yml names; raise Rejected naming the file."""
    try:
        if name.endswith((".yaml", ".yml")):
            return yaml.load(text, Loader=_StringDatesLoader)  # noqa: S506 - a SafeLoader subclass
        return json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise Rejected([Issue(file=name, message=f"not valid JSON/YAML: {exc}", code="unparsable")]) from None


def _feature_to_item(feature: Any, *, file: str, section: str, index: int) -> RawItem:
    """A GeoJSON Feature as an item: id and properties become fields, geometry stays GeoJSON."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise Rejected([Issue(file=file, section=section, index=index, message="not a GeoJSON Feature")])
    data: dict[str, Any] = dict(feature.get("properties") or {})
    if feature.get("id") is not None:
        data["id"] = feature["id"]
    data["geometry"] = feature.get("geometry")
    return RawItem(file=file, section=section, index=index, data=data)


def _section_items(value: Any, *, file: str, section: str) -> list[RawItem]:
    if section in FEATURE_SECTIONS and isinstance(value, Mapping):
        if value.get("type") != "FeatureCollection":
            raise Rejected([Issue(file=file, section=section, message="expected a FeatureCollection")])
        features = value.get("features") or []
        return [_feature_to_item(f, file=file, section=section, index=i) for i, f in enumerate(features)]
    if not isinstance(value, list):
        raise Rejected([Issue(file=file, section=section, message="expected a list of items")])
    items = []
    for index, data in enumerate(value):
        if not isinstance(data, Mapping):
            raise Rejected([Issue(file=file, section=section, index=index, message="expected an object")])
        items.append(RawItem(file=file, section=section, index=index, data=dict(data)))
    return items


def add_document(bundle: Bundle, document: Any, *, file: str) -> None:
    """Add one parsed document (registry envelope or bare FeatureCollection) to a bundle."""
    if isinstance(document, Mapping) and document.get("type") == "FeatureCollection":
        document = {"format": FORMAT, "version": VERSION, "areas": document}
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        message = f'not a registry document: expected "format": "{FORMAT}" or a GeoJSON FeatureCollection'
        raise Rejected([Issue(file=file, field="format", message=message, code="unknown_format")])
    if document.get("version") != VERSION:
        message = f"unsupported version {document.get('version')!r} (this ceasefire reads {VERSION})"
        raise Rejected([Issue(file=file, field="version", message=message, code="unsupported_version")])
    unknown = sorted(set(document) - {"format", "version", *ALL_SECTIONS})
    if unknown:
        raise Rejected([Issue(file=file, field=unknown[0], message=f"unknown section {unknown[0]!r}")])
    bundle.files.append(file)
    for section in ALL_SECTIONS:
        if document.get(section) is None:
            continue
        for item in _section_items(document[section], file=file, section=section):
            bundle.items[section].append(
                RawItem(item.file, item.section, item.index, _resolve_times(item.data))
            )


def read_files(paths: list[Path]) -> Bundle:
    """Read registry documents (JSON, YAML, GeoJSON) into one bundle; unreadable files are rejected."""
    bundle = Bundle()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Rejected(
                [Issue(file=str(path), message=f"cannot read: {exc}", code="unreadable")]
            ) from None
        try:
            add_document(bundle, parse_text(text, name=path.name), file=str(path))
        except Invalid as exc:  # an unknown zone in a local time
            raise Rejected(
                [Issue(file=str(path), field=exc.field, message=exc.message, code=exc.code)]
            ) from None
    return bundle


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of features."""
    return {"type": "FeatureCollection", "features": features}


def to_feature(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item with an id and a geometry as a GeoJSON Feature (the other fields as properties)."""
    properties = {k: v for k, v in item.items() if k not in ("id", "geometry")}
    return {"type": "Feature", "id": item["id"], "geometry": item["geometry"], "properties": properties}
