"""Import registry documents: check everything first, then write through the domain services.

All or nothing: every item is validated (schema, times, geometry), compared with what is stored and
with the other items, and its references resolved before anything is written. Items already stored
identically are skipped (imports are idempotent); an item stored under the same id with different
content is a conflict, never overwritten. Reports and incidents (the claims sections) are checked
the same way, then submitted through the intake and incidents services, which recognise what an
earlier import stored (see `claims`). Writes happen in one savepoint of the caller's session,
rolled back on any error (and always, for a dry run). The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ceasefire import agreements as agreements_service
from ceasefire import parties as parties_service
from ceasefire import places as places_service
from ceasefire.agreements.schemas import AgreementCreate, StanceCreate
from ceasefire.audit import record
from ceasefire.interchange import read
from ceasefire.interchange.canonical import Key, canonical, key
from ceasefire.interchange.claims import ClaimsWriter, unknown_report_keys
from ceasefire.interchange.errors import Conflicting, Issue, Rejected
from ceasefire.interchange.format import (
    ALL_SECTIONS,
    SECTIONS,
    WORKFLOW_SECTIONS,
    Bundle,
    RawItem,
    read_files,
)
from ceasefire.interchange.references import missing_references
from ceasefire.interchange.schemas import (
    ITEM_MODELS,
    AgreementItem,
    AreaItem,
    ImportReport,
    IncidentItem,
    PartyItem,
    PlaceItem,
    RelationItem,
    ReportItem,
    StanceItem,
)
from ceasefire.interchange.validation import domain_issues, validation_issues
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.errors import DomainError
from ceasefire.parties.schemas import RelationCreate

Progress = Callable[[int, int], None]
"""Called with (items written, items to write) as an import proceeds."""


@dataclass(slots=True)
class Entry:
    """One validated input item: where it came from, the item, its key and canonical form."""

    raw: RawItem
    item: BaseModel
    key: Key
    form: dict[str, Any]


@dataclass
class Plan:
    """The checked input: new items to write per section, and how many are already stored."""

    new: dict[str, list[Entry]] = field(default_factory=lambda: {s: [] for s in ALL_SECTIONS})
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    issues: list[Issue] = field(default_factory=list)
    conflicts: list[Issue] = field(default_factory=list)


def parse_item(raw: RawItem) -> Entry | list[Issue]:
    """Validate one raw item against its schema and the domain rules that need no database."""
    try:
        item = ITEM_MODELS[raw.section].model_validate(raw.data)
    except ValidationError as exc:
        return validation_issues(raw, exc)
    problems = domain_issues(raw, item)
    if problems:
        return problems
    try:
        form = canonical(raw.section, item)
    except DomainError as exc:
        return [raw.issue(exc.message, field=exc.field, code=exc.code)]
    return Entry(raw=raw, item=item, key=key(raw.section, item), form=form)


def _differs(here: dict[str, Any], there: dict[str, Any]) -> str:
    """The first field in which two canonical forms differ, for the conflict message."""
    for name in [*here, *(k for k in there if k not in here)]:
        if here.get(name) != there.get(name):
            return name
    return "id"


# Stored items by the first part of their key (id; agreement of a stance; subject of a relation).
_READERS: dict[str, Callable[[Session, list[str]], Sequence[BaseModel]]] = {
    "parties": read.parties,
    "places": read.places,
    "areas": read.areas,
    "agreements": read.agreements,
    "stances": read.stances,
    "relations": read.relations,
}


def _stored(session: Session, section: str, keys: list[Key]) -> dict[Key, dict[str, Any]]:
    """Canonical forms of the stored items with these keys."""
    if not keys:
        return {}
    items = _READERS[section](session, [k[0] for k in keys])
    return {key(section, i): canonical(section, i) for i in items}


def _derived_left_out(
    section: str, form: dict[str, Any], held: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The stored form without the fields the input may leave for the service to derive."""
    if held is not None and section == "places" and "governorate_id" not in form:
        # A place's governorate defaults to its parent's.
        return {k: v for k, v in held.items() if k != "governorate_id"}
    return held


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _distinct(section: str, raws: list[RawItem], plan: Plan) -> dict[Key, Entry]:
    """Valid items of a section by key; a key listed twice must carry the same content."""
    seen: dict[Key, Entry] = {}
    for raw in raws:
        parsed = parse_item(raw)
        if isinstance(parsed, list):
            plan.issues.extend(parsed)
            continue
        twin = seen.setdefault(parsed.key, parsed)
        if twin.form != parsed.form:
            where = f"{twin.raw.file}: {section}[{twin.raw.index}]"
            message = f"listed twice with different content (also at {where})"
            field = _differs(parsed.form, twin.form)
            plan.conflicts.append(raw.issue(message, field=field, code="conflict"))
    return seen


def _classify(session: Session, section: str, seen: dict[Key, Entry], plan: Plan) -> None:
    """Sort a section's items into new, already stored identically, and conflicting."""
    stored = _stored(session, section, list(seen))
    for entry_key, entry in seen.items():
        held = _derived_left_out(section, entry.form, stored.get(entry_key))
        if held is None:
            plan.new[section].append(entry)
        elif held == entry.form:
            plan.unchanged[section] += 1
        else:
            name = _differs(entry.form, held)
            message = (
                f"differs from the stored item in {name!r} (here {_short(entry.form.get(name))}, "
                f"stored {_short(held.get(name))}); nothing is overwritten"
            )
            plan.conflicts.append(entry.raw.issue(message, field=name, code="conflict"))


def plan_import(session: Session, bundle: Bundle) -> Plan:
    """Check a bundle against its schemas, itself and the store; write nothing.

    Claims items are only checked here: whether each is already stored is known when it is
    submitted (the intake service answers a repeated submission with the stored report).
    """
    plan = Plan()
    for section in SECTIONS:
        _classify(session, section, _distinct(section, bundle.items[section], plan), plan)
    for section in WORKFLOW_SECTIONS:
        plan.new[section] = list(_distinct(section, bundle.items[section], plan).values())
    if not plan.issues:
        plan.issues.extend(missing_references(session, plan.new))
        incidents = [(e.raw, e.item) for e in plan.new["incidents"] if isinstance(e.item, IncidentItem)]
        report_keys = {e.key[0] for e in plan.new["reports"]}
        plan.issues.extend(unknown_report_keys(session, incidents, report_keys))
    return plan


def _parents(item: BaseModel) -> list[str | None]:
    """Ids of the items of the same section an item refers to (its parent place or agreement)."""
    if isinstance(item, PlaceItem):
        return [item.parent_id, item.governorate_id]
    if isinstance(item, AgreementItem):
        return [item.parent_id]
    return []


def _in_write_order(section: str, entries: list[Entry]) -> list[Entry]:
    """Places and agreements parents first; other sections in input order (stances in particular)."""
    return _topological(entries) if section in ("places", "agreements") else entries


def _topological(entries: list[Entry]) -> list[Entry]:
    """Entries ordered so that an item comes after the items of this input it refers to."""
    by_key = {e.key[0]: e for e in entries}
    done: set[str] = set()
    ordered: list[Entry] = []

    def visit(entry: Entry, path: set[str]) -> None:
        ident = entry.key[0]
        if ident in done or ident in path:
            return
        for parent in _parents(entry.item):
            if parent in by_key:
                visit(by_key[parent], {*path, ident})
        done.add(ident)
        ordered.append(entry)

    for entry in entries:
        visit(entry, set())
    return ordered


def _write_one(session: Session, section: str, item: BaseModel, *, actor: Actor, reason: str | None) -> None:
    """Create one item through its domain service."""
    if isinstance(item, PartyItem):
        parties_service.create_party(session, data=item, actor=actor, reason=reason)
    elif isinstance(item, PlaceItem):
        places_service.create_place(session, data=item, actor=actor, reason=reason)
    elif isinstance(item, AreaItem):
        places_service.create_area(session, data=item, actor=actor, reason=reason)
    elif isinstance(item, AgreementItem):
        data = AgreementCreate.model_validate(item.model_dump(exclude={"status_history"}))
        agreements_service.create_agreement(session, data=data, actor=actor, reason=reason)
        for index, change in enumerate(item.status_history):
            try:
                agreements_service.change_status(
                    session, agreement_id=item.id, data=change, actor=actor, reason=reason
                )
            except DomainError as exc:
                exc.field = f"status_history.{index}.{exc.field}" if exc.field else f"status_history.{index}"
                raise
    elif isinstance(item, StanceItem):
        stance = StanceCreate.model_validate(item.model_dump(exclude={"agreement_id"}))
        agreements_service.record_stance(
            session, agreement_id=item.agreement_id, data=stance, actor=actor, reason=reason
        )
    elif isinstance(item, RelationItem):
        relation = RelationCreate.model_validate(item.model_dump(exclude={"subject_party_id"}))
        parties_service.add_relation(
            session, party_id=item.subject_party_id, data=relation, actor=actor, reason=reason
        )
    else:  # pragma: no cover - every section has a branch above
        raise TypeError(f"no writer for {section}")


def _write(
    session: Session, plan: Plan, *, actor: Actor, reason: str | None, progress: Progress | None
) -> ClaimsWriter:
    """Write the new items, parents before children, each through its domain service."""
    total, done = sum(len(entries) for entries in plan.new.values()), 0
    claims = ClaimsWriter(session, actor)
    for section in ALL_SECTIONS:
        for entry in _in_write_order(section, plan.new[section]):
            try:
                if isinstance(entry.item, ReportItem | IncidentItem):
                    claims.write(entry.raw, entry.item)
                else:
                    _write_one(session, section, entry.item, actor=actor, reason=reason)
            except (Rejected, Conflicting):
                raise
            except DomainError as exc:
                raise Rejected([entry.raw.issue(exc.message, field=exc.field, code=exc.code)]) from None
            except IntegrityError as exc:
                message = f"the database refused the item: {exc.orig}"
                raise Rejected([entry.raw.issue(message, code="integrity_error")]) from None
            done += 1
            if progress is not None:
                progress(done, total)
    return claims


def import_bundle(
    session: Session,
    bundle: Bundle,
    *,
    actor: Actor,
    dry_run: bool = False,
    reason: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a bundle all or nothing; raise Rejected (invalid input) or Conflicting (differs from store)."""
    plan = plan_import(session, bundle)
    if plan.issues:
        raise Rejected(plan.issues)
    if plan.conflicts:
        raise Conflicting(plan.conflicts)
    report = ImportReport(
        files=list(bundle.files),
        created={s: len(plan.new[s]) for s in SECTIONS},
        unchanged=dict(plan.unchanged),
        dry_run=dry_run,
    )
    savepoint = session.begin_nested()
    try:
        claims = _write(session, plan, actor=actor, reason=reason, progress=progress)
        report.created.update(claims.created)
        report.unchanged.update(claims.unchanged)
        if report.total_created:
            record(
                session,
                actor=actor,
                action="registry.import",
                entity_type="registry",
                entity_id="import",
                changes=report.as_dict(),
                reason=reason,
            )
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return report


def import_files(
    session: Session,
    paths: Sequence[Path],
    *,
    actor: Actor,
    dry_run: bool = False,
    reason: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Read registry documents (JSON, YAML, GeoJSON) and import them together, all or nothing."""
    bundle = read_files(list(paths))
    return import_bundle(session, bundle, actor=actor, dry_run=dry_run, reason=reason, progress=progress)
