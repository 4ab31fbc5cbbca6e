"""Queries of the correlation index and of scored pairs."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Table, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from ceasefire.correlation.models import CorrelationCell, CorrelationEntry, CorrelationPair
from ceasefire.correlation.rules import Item, filed_keys, search_keys
from ceasefire.incidents.models import IncidentReport, PairDecision
from ceasefire.intake.models import Report, ReportWithdrawal


@lru_cache(maxsize=16384)
def _split(value: str) -> frozenset[str]:
    # Acts and actors repeat across entries: each distinct "|"-joined value is split once.
    return frozenset(v for v in value.split("|") if v)


def item_of(entry: CorrelationEntry) -> Item:
    """An index entry as the correlator compares it."""
    return Item(
        kind=entry.kind,
        ref=entry.ref,
        t_center=entry.t_center,
        t_half=entry.t_half,
        latitude=entry.latitude,
        longitude=entry.longitude,
        radius_km=entry.radius_km,
        categories=_split(entry.categories),
        perpetrators=_split(entry.perpetrators),
        targets=_split(entry.targets),
        text=entry.text,
    )


def in_filing_order(item: Item) -> float:
    """The order many items are filed in: by time."""
    return item.t_center


def _values(item: Item) -> dict[str, object]:
    return {
        "kind": item.kind,
        "ref": item.ref,
        "t_center": item.t_center,
        "t_half": item.t_half,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "radius_km": item.radius_km,
        "categories": "|".join(sorted(item.categories))[:400],
        "perpetrators": "|".join(sorted(item.perpetrators))[:1000],
        "targets": "|".join(sorted(item.targets))[:1000],
        "text": item.text[:1000],
    }


def remove(session: Session, kind: str, refs: Collection[str]) -> None:
    """Take entries out of the index (their cells go with them)."""
    if not refs:
        return
    ids = select(CorrelationEntry.id).where(
        CorrelationEntry.kind == kind, CorrelationEntry.ref.in_(sorted(refs))
    )
    session.execute(delete(CorrelationCell).where(CorrelationCell.entry_id.in_(ids)))
    session.execute(
        delete(CorrelationEntry).where(CorrelationEntry.kind == kind, CorrelationEntry.ref.in_(sorted(refs)))
    )


_ENTRY = cast(Table, CorrelationEntry.__table__)
_CELL = cast(Table, CorrelationCell.__table__)
_INSERT_ENTRY = insert(_ENTRY).returning(_ENTRY.c.id)


def file(session: Session, item: Item, *, new: bool = False) -> None:
    """Put (or put again) an item in the index; `new`: it cannot be there yet (a new report)."""
    if not new:
        remove(session, item.kind, [item.ref])
    connection = session.connection()
    entry_id = connection.execute(_INSERT_ENTRY, _values(item)).scalar_one()
    cells = [{"key": key, "entry_id": entry_id, "home": home} for key, home in filed_keys(item)]
    connection.execute(insert(_CELL), cells)


def file_many(session: Session, items: Iterable[Item]) -> int:
    """Put many new items in the index (none of them may be there already); how many.

    They are filed in the order of their time, as intake files them one by one: entries of one
    period sit together in the entry table, so a lookup (which asks for a few weeks at most) reads
    a few pages of it rather than one page per candidate."""
    count = 0
    batch: list[Item] = []
    for item in sorted(items, key=in_filing_order):
        batch.append(item)
        if len(batch) >= 5000:
            count += _file_batch(session, batch)
            batch = []
    return count + (_file_batch(session, batch) if batch else 0)


def _file_batch(session: Session, items: Sequence[Item]) -> int:
    ids = (
        session.execute(
            insert(CorrelationEntry).returning(CorrelationEntry.id, sort_by_parameter_order=True),
            [_values(i) for i in items],
        )
        .scalars()
        .all()
    )
    cells = [
        {"key": key, "entry_id": entry_id, "home": home}
        for item, entry_id in zip(items, ids, strict=True)
        for key, home in filed_keys(item)
    ]
    session.execute(insert(CorrelationCell), cells)
    return len(items)


def clear(session: Session) -> None:
    """Empty the index."""
    session.execute(delete(CorrelationCell))
    session.execute(delete(CorrelationEntry))


# In the order of Item's fields, so that a row is an Item's arguments.
_COLUMNS = (
    "kind, ref, t_center, t_half, latitude, longitude, radius_km, categories, perpetrators, targets, text"
)


def _lookup_sql(item: Item, postgres: bool) -> tuple[str, list[list[int]]]:
    """The lookup of an item's candidates: one select per level of rules.search_keys, each ranges
    of the cell table's primary key (key, home, entry_id), so the ids come from the index alone.

    On PostgreSQL the keys are bound as arrays, so the text depends only on the levels looked at
    (a handful of statements, prepared by the driver after a few uses: no planning per report);
    on SQLite they are integers made here, written into the statement (nothing to expand)."""
    groups, arrays = [], []
    for keys, low, high in search_keys(item):
        homes = f"home <= {int(high)}" if low == 0 else f"home = {int(high)}"
        if postgres:
            groups.append(f"SELECT entry_id FROM correlation_cell WHERE key = ANY(%s::bigint[]) AND {homes}")
            arrays.append([int(k) for k in keys])
        else:
            listed = ",".join(str(int(k)) for k in keys)
            groups.append(f"SELECT entry_id FROM correlation_cell WHERE key IN ({listed}) AND {homes}")
    return f"SELECT {_COLUMNS} FROM correlation_entry WHERE id IN ({' UNION ALL '.join(groups)})", arrays


def candidates(session: Session, item: Item) -> list[Item]:
    """The entries filed where the item could meet them (rules.search_keys), itself excluded."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    sql, arrays = _lookup_sql(item, postgres)
    # The driver's cursor, all rows at once: a few hundred rows through the engine's result, row by
    # row, cost as much as the query itself. (session.connection() has begun the transaction.)
    cursor = connection.connection.cursor()
    try:
        if postgres:
            # Binary results: no text to parse for the floats, on either side.
            cast(Any, cursor).execute(sql, tuple(arrays), binary=True)  # psycopg
        else:
            cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    split, me = _split, (item.kind, item.ref)
    return [
        Item(kind, ref, t_center, t_half, lat, lon, radius, split(acts), split(perps), split(targets), words)
        for kind, ref, t_center, t_half, lat, lon, radius, acts, perps, targets, words in rows
        if (kind, ref) != me
    ]


def entry(session: Session, kind: str, ref: str) -> CorrelationEntry | None:
    return session.scalars(
        select(CorrelationEntry).where(CorrelationEntry.kind == kind, CorrelationEntry.ref == ref)
    ).one_or_none()


def refused(session: Session, lineage_id: str) -> set[tuple[str, str]]:
    """The targets a report may not be paired with again: rejected by an analyst, either way round."""
    rows = session.execute(
        select(
            CorrelationPair.report_lineage_id, CorrelationPair.target_kind, CorrelationPair.target_ref
        ).where(
            CorrelationPair.status == "rejected",
            or_(
                CorrelationPair.report_lineage_id == lineage_id,
                and_(CorrelationPair.target_kind == "report", CorrelationPair.target_ref == lineage_id),
            ),
        )
    )
    out = set()
    for report, kind, ref in rows:
        out.add(("report", report) if ref == lineage_id and kind == "report" else (kind, ref))
    decisions = session.scalars(
        select(PairDecision.incident_id).where(
            PairDecision.report_lineage_id == lineage_id, PairDecision.decision == "reject"
        )
    )
    out.update(("incident", incident_id) for incident_id in decisions)
    return out


def pair(session: Session, lineage_id: str, kind: str, ref: str) -> CorrelationPair | None:
    """The pair of a report and a target, either way round for two reports."""
    forward = and_(
        CorrelationPair.report_lineage_id == lineage_id,
        CorrelationPair.target_kind == kind,
        CorrelationPair.target_ref == ref,
    )
    backward = and_(
        CorrelationPair.report_lineage_id == ref,
        CorrelationPair.target_kind == "report",
        CorrelationPair.target_ref == lineage_id,
    )
    query = select(CorrelationPair).where(or_(forward, backward) if kind == "report" else forward)
    return session.scalars(query.limit(1)).first()


def find_pair(session: Session, pair_id: str) -> CorrelationPair | None:
    return session.get(CorrelationPair, pair_id)


def pairs_page(
    session: Session, *, statuses: Sequence[str], offset: int, limit: int
) -> tuple[list[CorrelationPair], int]:
    """Pairs in these statuses, best score first."""
    where = CorrelationPair.status.in_(statuses)
    total = session.scalar(select(func.count()).select_from(CorrelationPair).where(where)) or 0
    query: Select[CorrelationPair] = (
        select(CorrelationPair)
        .where(where)
        .order_by(CorrelationPair.score.desc(), CorrelationPair.id)
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(query)), total


def pairs_of(
    session: Session, *, lineage_id: str | None = None, incident_id: str | None = None
) -> list[CorrelationPair]:
    """The pairs naming a report (either side) or an incident."""
    if lineage_id is not None:
        where = or_(
            CorrelationPair.report_lineage_id == lineage_id,
            and_(CorrelationPair.target_kind == "report", CorrelationPair.target_ref == lineage_id),
        )
    else:
        grouped = select(IncidentReport.report_lineage_id).where(IncidentReport.incident_id == incident_id)
        where = or_(
            and_(CorrelationPair.target_kind == "incident", CorrelationPair.target_ref == incident_id),
            CorrelationPair.report_lineage_id.in_(grouped),
        )
    return list(session.scalars(select(CorrelationPair).where(where).order_by(CorrelationPair.score.desc())))


def link_of(session: Session, lineage_id: str) -> str | None:
    """The incident a report lineage is grouped into, if any."""
    return session.scalar(
        select(IncidentReport.incident_id).where(IncidentReport.report_lineage_id == lineage_id)
    )


def links_of(session: Session, lineage_ids: Collection[str]) -> dict[str, str]:
    """The incidents these report lineages are grouped into (those grouped)."""
    rows = session.execute(
        select(IncidentReport.report_lineage_id, IncidentReport.incident_id).where(
            IncidentReport.report_lineage_id.in_(sorted(lineage_ids))
        )
    )
    return dict(rows.all())


def withdrawn(session: Session, lineage_ids: Collection[str]) -> set[str]:
    """Which of these report lineages were withdrawn."""
    query = select(ReportWithdrawal.lineage_id).where(ReportWithdrawal.lineage_id.in_(sorted(lineage_ids)))
    return set(session.scalars(query))


def current_reports(session: Session) -> list[Report]:
    """The current version of every report lineage not withdrawn, oldest first."""
    latest = (
        select(Report.lineage_id, func.max(Report.version).label("version"))
        .group_by(Report.lineage_id)
        .subquery()
    )
    query = (
        select(Report)
        .join(latest, and_(latest.c.lineage_id == Report.lineage_id, latest.c.version == Report.version))
        .outerjoin(ReportWithdrawal, ReportWithdrawal.lineage_id == Report.lineage_id)
        .where(ReportWithdrawal.id.is_(None))
        .order_by(Report.created_at, Report.id)
    )
    return list(session.scalars(query))


def links(session: Session) -> dict[str, str]:
    """Every grouped report lineage and its incident."""
    rows = session.execute(select(IncidentReport.report_lineage_id, IncidentReport.incident_id))
    return dict(rows.all())


def all_refusals(session: Session) -> list[tuple[str, str, str]]:
    """Every rejected pairing: (report lineage, target kind, target ref)."""
    pairs = session.execute(
        select(
            CorrelationPair.report_lineage_id, CorrelationPair.target_kind, CorrelationPair.target_ref
        ).where(CorrelationPair.status == "rejected")
    )
    rows = [(lineage, kind, ref) for lineage, kind, ref in pairs]
    decisions = session.execute(
        select(PairDecision.report_lineage_id, PairDecision.incident_id).where(
            PairDecision.decision == "reject"
        )
    )
    rows += [(lineage, "incident", incident) for lineage, incident in decisions]
    return rows
