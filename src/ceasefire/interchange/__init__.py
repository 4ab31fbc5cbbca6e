"""Interchange: the registries as JSON/YAML/GeoJSON documents, imported and exported, and the replays.

Terms: a *document* is `{"format": "ceasefire-registry", "version": 1, ...sections}`; its
*sections* are parties, places, areas, agreements, stances and relations (the registry), then
reports and incidents (the *claims sections*, import only), in that order (an item refers only to
earlier sections or to stored items). An *item* has the shape of its domain's Create schema plus
its id (see `schemas`); places and areas are GeoJSON Features. An item's *key* is its id (for
stances: agreement, party and first day; for relations: subject, relation, object and first day)
and its *canonical form* is the one way it is written. An *import* is all or nothing and
idempotent: items already stored identically are *unchanged*, items stored differently are
*conflicts* and refused; reports and incidents go through the intake and incidents services (see
`claims`). A *replay* is a shipped data package of documents (the 2016 replay).
"""

from ceasefire.interchange.dump import dumps, export_areas, export_registry
from ceasefire.interchange.errors import Conflicting, Issue, Rejected
from ceasefire.interchange.format import FORMAT, VERSION, Bundle, read_files
from ceasefire.interchange.load import import_bundle, import_files, plan_import
from ceasefire.interchange.replay import ReplaySummary, load_replay, replay_bundle, replay_manifest
from ceasefire.interchange.schemas import ImportReport

__all__ = [
    "FORMAT",
    "VERSION",
    "Bundle",
    "Conflicting",
    "ImportReport",
    "Issue",
    "Rejected",
    "ReplaySummary",
    "dumps",
    "export_areas",
    "export_registry",
    "import_bundle",
    "import_files",
    "load_replay",
    "plan_import",
    "read_files",
    "replay_bundle",
    "replay_manifest",
]
