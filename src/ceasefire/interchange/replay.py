"""Load the 2016 replay: the shipped gazetteer, then the replay's data package through the importer.

The package (src/ceasefire/replay/data/2016/) is data, not code: registry documents listed by a
manifest, then the worked cases (reports, submitted through the intake service as claims of their
sources, and the incidents grouping them), every item citing its public source. Loading is
idempotent: a second load adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from sqlalchemy.orm import Session

from ceasefire.interchange.format import Bundle, add_document, parse_text
from ceasefire.interchange.load import import_bundle
from ceasefire.interchange.schemas import ImportReport
from ceasefire.kernel.actor import Actor
from ceasefire.places import LoadCounts, load_gazetteer

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total); stages are "gazetteer" and "replay"."""

REPLAY_PACKAGE = "ceasefire.replay"
REPLAY_YEAR = "2016"


def replay_folder(year: str = REPLAY_YEAR) -> Traversable:
    """The folder of a replay's data package inside the installed ceasefire."""
    return files(REPLAY_PACKAGE).joinpath("data", year)


def replay_manifest(year: str = REPLAY_YEAR) -> dict[str, Any]:
    """The replay's manifest: its files in load order and the public sources they cite."""
    manifest = yaml.safe_load(replay_folder(year).joinpath("manifest.yaml").read_text(encoding="utf-8"))
    assert isinstance(manifest, dict), "the replay manifest is a mapping"
    return manifest


def replay_bundle(year: str = REPLAY_YEAR) -> Bundle:
    """Every document the manifest lists, read into one bundle (file names as replay/<year>/<file>)."""
    folder, bundle = replay_folder(year), Bundle()
    for name in replay_manifest(year)["files"]:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        add_document(bundle, parse_text(text, name=name), file=f"replay/{year}/{name}")
    return bundle


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    """What a replay load did: the gazetteer's counts and the registry import's report."""

    gazetteer: LoadCounts
    registry: ImportReport

    @property
    def total_created(self) -> int:
        """Items this load stored: gazetteer places, registry items, reports and incidents."""
        return self.gazetteer.places_added + self.registry.total_created

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data."""
        return {"gazetteer": self.gazetteer.as_dict(), "registry": self.registry.as_dict()}


def load_replay(session: Session, *, actor: Actor, progress: Progress | None = None) -> ReplaySummary:
    """Load the gazetteer and the 2016 replay into the registry, idempotently (the caller commits)."""

    def stage(name: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(name, done, total)

    counts = load_gazetteer(session, actor=actor, progress=stage("gazetteer"))
    report = import_bundle(
        session, replay_bundle(), actor=actor, reason="load the 2016 replay", progress=stage("replay")
    )
    return ReplaySummary(gazetteer=counts, registry=report)
