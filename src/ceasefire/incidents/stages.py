"""The workflow stage of an incident as a state machine (pure).

Forward path: new -> triage -> verification -> determination -> liaison -> closed (determination may
go straight to closed when there is nobody to talk to). Backward moves, each needing a reason:
verification -> triage, determination -> verification, liaison -> determination, closed ->
verification (reopening), dismissed -> triage (reopening a dismissal). From every open stage an
incident may be merged into another or dismissed, with a reason. Merged is final.
"""

from __future__ import annotations

from ceasefire.kernel.claims import Stage
from ceasefire.kernel.errors import Conflict, Invalid

OPEN_STAGES = frozenset({Stage.NEW, Stage.TRIAGE, Stage.VERIFICATION, Stage.DETERMINATION, Stage.LIAISON})

_FORWARD: dict[Stage, frozenset[Stage]] = {
    Stage.NEW: frozenset({Stage.TRIAGE}),
    Stage.TRIAGE: frozenset({Stage.VERIFICATION}),
    Stage.VERIFICATION: frozenset({Stage.DETERMINATION}),
    Stage.DETERMINATION: frozenset({Stage.LIAISON, Stage.CLOSED}),
    Stage.LIAISON: frozenset({Stage.CLOSED}),
}
_BACKWARD: dict[Stage, frozenset[Stage]] = {
    Stage.VERIFICATION: frozenset({Stage.TRIAGE}),
    Stage.DETERMINATION: frozenset({Stage.VERIFICATION}),
    Stage.LIAISON: frozenset({Stage.DETERMINATION}),
    Stage.CLOSED: frozenset({Stage.VERIFICATION}),
    Stage.DISMISSED: frozenset({Stage.TRIAGE}),
}
_ENDINGS = frozenset({Stage.MERGED, Stage.DISMISSED})


def allowed_moves(current: Stage) -> frozenset[Stage]:
    """Every stage reachable in one move from the current one."""
    moves = _FORWARD.get(current, frozenset()) | _BACKWARD.get(current, frozenset())
    return moves | _ENDINGS if current in OPEN_STAGES else moves


def needs_reason(current: Stage, to: Stage) -> bool:
    """Backward moves, reopenings, merges and dismissals must say why."""
    return to in _ENDINGS or to in _BACKWARD.get(current, frozenset())


def check_transition(current: Stage, to: Stage, reason: str | None) -> None:
    """Refuse a move the machine does not allow (409 invalid_transition) or one lacking its reason."""
    allowed = allowed_moves(current)
    if to not in allowed:
        raise Conflict(
            f"an incident cannot move from {current.value} to {to.value}",
            code="invalid_transition",
            field="to",
            details={"from": current.value, "to": to.value, "allowed": sorted(s.value for s in allowed)},
        )
    if needs_reason(current, to) and not (reason or "").strip():
        raise Invalid(
            f"moving from {current.value} to {to.value} needs a reason",
            code="reason_required",
            field="reason",
        )


def is_open(stage: Stage) -> bool:
    """Whether reports may still be grouped into or out of the incident."""
    return stage in OPEN_STAGES
