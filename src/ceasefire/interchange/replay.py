"""Load the 2016 replay: the shipped gazetteer, then the replay's data package through the importer.

The package (src/ceasefire/replay/data/2016/) is data, not code: registry documents listed by a
manifest, then the worked cases (reports, submitted through the intake service as claims of their
sources, and the incidents grouping them), every item citing its public source. Loading is
idempotent: a second load adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from sqlalchemy.orm import Session

from ceasefire.access import service as access
from ceasefire.access.models import (
    AgreementApprover,
    BesiegedArea,
    Checkpoint,
    Corridor,
    Movement,
    ObservationPost,
)
from ceasefire.access.schemas import (
    ApproverCreate,
    BesiegedAreaCreate,
    CheckpointCreate,
    CorridorCreate,
    CorridorStatusCreate,
    MovementCreate,
    ObstructionCreate,
    PostCreate,
)
from ceasefire.interchange.format import Bundle, _resolve_times, add_document, parse_text
from ceasefire.interchange.load import import_bundle
from ceasefire.interchange.schemas import ImportReport
from ceasefire.kernel.actor import Actor
from ceasefire.places import LoadCounts, load_gazetteer

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total); stages are "gazetteer" and "replay"."""

REPLAY_PACKAGE = "ceasefire.replay"
REPLAY_YEAR = "2016"
ACCESS_FORMAT = "ceasefire-access"


def replay_folder(year: str = REPLAY_YEAR) -> Traversable:
    """The folder of a replay's data package inside the installed ceasefire."""
    return files(REPLAY_PACKAGE).joinpath("data", year)


def replay_manifest(year: str = REPLAY_YEAR) -> dict[str, Any]:
    """The replay's manifest: its files in load order and the public sources they cite."""
    manifest = yaml.safe_load(replay_folder(year).joinpath("manifest.yaml").read_text(encoding="utf-8"))
    assert isinstance(manifest, dict), "the replay manifest is a mapping"
    return manifest


def replay_bundle(year: str = REPLAY_YEAR) -> Bundle:
    """Every registry document the manifest lists, read into one bundle (files as replay/<year>/<file>).

    Access documents (`format: ceasefire-access`) are left out: `load_access` loads them.
    """
    folder, bundle = replay_folder(year), Bundle()
    for name in replay_manifest(year)["files"]:
        document = parse_text(folder.joinpath(name).read_text(encoding="utf-8"), name=name)
        if isinstance(document, dict) and document.get("format") == ACCESS_FORMAT:
            continue
        add_document(bundle, document, file=f"replay/{year}/{name}")
    return bundle


def access_documents(year: str = REPLAY_YEAR) -> list[dict[str, Any]]:
    """The replay's access documents (worked cases 6-8), local times resolved to UTC."""
    folder, found = replay_folder(year), []
    for name in replay_manifest(year)["files"]:
        document = yaml.safe_load(folder.joinpath(name).read_text(encoding="utf-8"))
        if isinstance(document, dict) and document.get("format") == ACCESS_FORMAT:
            found.append(_resolve_times(document))
    return found


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    """What a replay load did: the gazetteer's counts and the registry import's report."""

    gazetteer: LoadCounts
    registry: ImportReport
    access: dict[str, int] = field(default_factory=dict)

    @property
    def total_created(self) -> int:
        """Items this load stored: gazetteer places, registry items, reports, incidents, access items."""
        return self.gazetteer.places_added + self.registry.total_created + sum(self.access.values())

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data."""
        return {
            "gazetteer": self.gazetteer.as_dict(),
            "registry": self.registry.as_dict(),
            "access": dict(self.access),
        }


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
    return ReplaySummary(gazetteer=counts, registry=report, access=load_access(session, actor=actor))


def _fields(item: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in {"note", *drop}}


def load_access(session: Session, *, actor: Actor, year: str = REPLAY_YEAR) -> dict[str, int]:
    """Load the replay's access items through the access service; items already stored are skipped."""
    created = dict.fromkeys(
        ("approvers", "corridors", "checkpoints", "observation_posts", "besieged_areas", "movements"), 0
    )
    for document in access_documents(year):
        for item in document.get("approvers", []):
            if session.get(AgreementApprover, (item["agreement_id"], item["party_id"])) is None:
                access.add_approver(session, data=ApproverCreate.model_validate(_fields(item)), actor=actor)
                created["approvers"] += 1
        for item in document.get("corridors", []):
            if session.get(Corridor, item["id"]) is None:
                data = CorridorCreate.model_validate(_fields(item, "statuses"))
                access.create_corridor(session, data=data, actor=actor)
                for status in item.get("statuses", []):
                    change = CorridorStatusCreate.model_validate(status)
                    access.add_corridor_status(session, corridor_id=item["id"], data=change, actor=actor)
                created["corridors"] += 1
        session.flush()
        for item in document.get("checkpoints", []):
            if session.get(Checkpoint, item["id"]) is None:
                checkpoint = CheckpointCreate.model_validate(_fields(item))
                access.create_checkpoint(session, data=checkpoint, actor=actor)
                created["checkpoints"] += 1
        for item in document.get("observation_posts", []):
            if session.get(ObservationPost, item["id"]) is None:
                access.create_post(session, data=PostCreate.model_validate(_fields(item)), actor=actor)
                created["observation_posts"] += 1
        for item in document.get("besieged_areas", []):
            if session.get(BesiegedArea, item["id"]) is None:
                besieged = BesiegedAreaCreate.model_validate(_fields(item))
                access.create_besieged_area(session, data=besieged, actor=actor)
                created["besieged_areas"] += 1
        session.flush()
        for item in document.get("movements", []):
            if session.get(Movement, item["id"]) is None:
                _load_movement(session, item, actor=actor)
                created["movements"] += 1
    session.flush()
    return created


def _load_movement(session: Session, item: dict[str, Any], *, actor: Actor) -> None:
    submitted_at = datetime.fromisoformat(item["submitted_at"])
    data = MovementCreate.model_validate(_fields(item, "submitted_at", "obstructions") | {"submit": True})
    movement = access.create_movement(session, data=data, actor=actor, clock=lambda: submitted_at)
    for obstruction in item.get("obstructions", []):
        change = ObstructionCreate.model_validate(obstruction)
        access.add_obstruction(session, movement_id=movement.id, data=change, actor=actor)
