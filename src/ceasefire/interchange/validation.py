"""Checks an import makes on each item before anything is written: the schema, then the domains'
own pure rules (times, polygons, status order), so every bad item is reported at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from ceasefire.agreements import rules as agreement_rules
from ceasefire.interchange.errors import Issue
from ceasefire.interchange.format import RawItem
from ceasefire.interchange.schemas import AgreementItem, AreaItem
from ceasefire.kernel.errors import DomainError
from ceasefire.kernel.time import check_order, zone
from ceasefire.places import rules as place_rules


def validation_issues(raw: RawItem, exc: ValidationError) -> list[Issue]:
    """One issue per schema error, naming the field by its dotted path (aliases.2.valid_from)."""
    return [
        raw.issue(
            error["msg"], field=".".join(str(part) for part in error["loc"]) or None, code=error["type"]
        )
        for error in exc.errors()
    ]


def _naive(value: Any, path: str) -> list[str]:
    """Dotted paths of the naive datetimes nested in a value."""
    if isinstance(value, datetime):
        return [path] if value.tzinfo is None or value.utcoffset() is None else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _naive(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _naive(v, f"{path}.{i}")]
    return []


def _agreement_checks(item: AgreementItem) -> None:
    """Time scope, zone and the status history in order, with the agreements domain's rules."""
    start, _ = agreement_rules.check_time_scope(item.starts_at, item.ends_at)
    zone(item.timezone, field="timezone")
    history: list[agreement_rules.StatusEntry] = []
    first_at = item.status_at or start
    agreement_rules.check_status_change(
        history, status=item.status, at=first_at, agreement_start=start, documented=True, field="status_at"
    )
    history.append(_Entry(item.status.value, first_at))
    for index, change in enumerate(item.status_history):
        try:
            agreement_rules.check_status_change(
                history,
                status=change.status,
                at=change.at,
                agreement_start=start,
                documented=bool(change.source),
            )
        except DomainError as exc:
            exc.field = f"status_history.{index}.{exc.field or 'status'}"
            raise
        history.append(_Entry(change.status.value, change.at))


class _Entry:
    """A status history entry as the rules read it."""

    def __init__(self, status: str, at: datetime) -> None:
        self.status = status
        self.at = at


def domain_issues(raw: RawItem, item: BaseModel) -> list[Issue]:
    """Issues the domains' pure rules find in an item that passed its schema."""
    naive = _naive(item.model_dump(), "")
    if naive:
        message = "must carry a time zone offset (naive datetimes are ambiguous)"
        return [raw.issue(message, field=path, code="naive_datetime") for path in naive]
    try:
        if isinstance(item, AreaItem):
            place_rules.area_shape(item.geometry.model_dump(exclude_none=True, exclude={"bbox"}))
            check_order(item.valid_from, item.valid_to, field="valid_to")
        elif isinstance(item, AgreementItem):
            _agreement_checks(item)
    except DomainError as exc:
        return [raw.issue(exc.message, field=exc.field, code=exc.code)]
    return []
