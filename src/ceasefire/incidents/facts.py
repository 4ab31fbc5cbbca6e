"""What the incident rules know of one claim, and of the claims of one incident (pure values)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ceasefire.kernel.claims import ClaimStance
from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.time import TimeWindow
from ceasefire.kernel.vocab import LocationPrecision

SUPPORTING = frozenset({ClaimStance.ASSERTS, ClaimStance.CONFIRMS})
ACCUSING = SUPPORTING | {ClaimStance.COUNTER_ACCUSES}


@dataclass(frozen=True, slots=True)
class Range:
    """A casualty figure as a source gave it: from `low` to `high` (equal when exact)."""

    low: int
    high: int

    @classmethod
    def of(cls, low: int | None, high: int | None) -> Range | None:
        """A range from two stored bounds; one missing bound takes the other's value; none gives None."""
        if low is None and high is None:
            return None
        pair = [v for v in (low, high) if v is not None]
        return cls(min(pair), max(pair))

    def overlaps(self, other: Range) -> bool:
        """Whether two figures can both be true."""
        return self.low <= other.high and other.low <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


@dataclass(frozen=True, slots=True)
class Casualties:
    """The casualty figures of one claim (None where the source gave none)."""

    killed: Range | None = None
    injured: Range | None = None
    women_killed: Range | None = None
    children_killed: Range | None = None


MEASURES = ("killed", "injured", "women_killed", "children_killed")


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """One current report version reduced to what grouping, grading and applicability need.

    `source_key` names the source: its party id when the source is a registered party, else
    "name:" + its normalized name. `source_side` is the side the source is on (see sides.py; None
    lets `derive` look it up or treat the source as its own side). `withdrawn` claims are kept so
    that an incident whose every report was withdrawn can be graded discounted.
    """

    report_id: str
    lineage_id: str
    source_key: str
    stance: ClaimStance
    window: TimeWindow
    act_category: str
    version: int = 1
    source_name: str = ""
    source_party_id: str | None = None
    source_side: str | None = None
    submitter_party_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_precision: LocationPrecision = LocationPrecision.UNKNOWN
    place_id: str | None = None
    perpetrator_party_id: str | None = None
    perpetrator_text: str | None = None
    target_party_id: str | None = None
    target_text: str | None = None
    casualties: Casualties = field(default_factory=Casualties)
    has_verified_evidence: bool = False
    is_monitor: bool = False
    withdrawn: bool = False

    @property
    def credible(self) -> bool:
        """An active claim from an identified source: a registered party, a monitor, or verified evidence."""
        identified = self.source_party_id is not None or self.is_monitor or self.has_verified_evidence
        return identified and not self.withdrawn

    @property
    def supports(self) -> bool:
        """Whether the claim says the event happened (asserts or confirms it)."""
        return self.stance in SUPPORTING

    @property
    def accuses(self) -> bool:
        """Whether the claim blames someone (asserts, confirms or counter-accuses)."""
        return self.stance in ACCUSING

    @property
    def has_point(self) -> bool:
        """Whether the claim gives coordinates."""
        return self.latitude is not None and self.longitude is not None

    @property
    def perpetrator_key(self) -> str | None:
        """The alleged perpetrator: a party id, or "text:" + the normalized name given, or None."""
        return _key(self.perpetrator_party_id, self.perpetrator_text)

    @property
    def target_key(self) -> str | None:
        """The alleged target, keyed like the perpetrator."""
        return _key(self.target_party_id, self.target_text)


def _key(party_id: str | None, text: str | None) -> str | None:
    if party_id is not None:
        return party_id
    folded = normalize_name(text or "")
    return f"text:{folded}" if folded else None


def source_key_for(source_party_id: str | None, source_name: str) -> str:
    """The key of a claim's source (its party id, else its normalized name)."""
    return source_party_id or f"name:{normalize_name(source_name)}"


class ClaimSet:
    """The claims of one incident with their references (C1, C2, ...) and the sides of the parties."""

    def __init__(self, claims: Sequence[ClaimFacts], sides: Mapping[str, str]) -> None:
        self.claims = list(claims)
        self.sides = sides
        self._refs = {c.lineage_id: f"C{i}" for i, c in enumerate(self.claims, 1)}
        self.active = [c for c in self.claims if not c.withdrawn]
        self._labels: dict[str, str] = {}
        for claim in self.active:
            self._labels.setdefault(self.source_side(claim), f"S{len(self._labels) + 1}")

    def ref(self, claim: ClaimFacts) -> str:
        """The claim's reference within the incident."""
        return self._refs[claim.lineage_id]

    def refs(self, claims: Sequence[ClaimFacts]) -> tuple[str, ...]:
        """References of several claims, in incident order."""
        return tuple(sorted((self.ref(c) for c in claims), key=lambda r: int(r[1:])))

    def source_side(self, claim: ClaimFacts) -> str:
        """The side of a claim's source (its own key when no side is known)."""
        return claim.source_side or self.sides.get(claim.source_key, claim.source_key)

    def side_label(self, claim: ClaimFacts) -> str:
        """An identity-free name of the claim's source side (S1, S2, ...; "S?" for withdrawn claims)."""
        return self._labels.get(self.source_side(claim), "S?")

    def side(self, key: str | None) -> str | None:
        """The side of a perpetrator or target key (free-text names are their own side)."""
        return None if key is None else self.sides.get(key, key)

    def perpetrator_side(self, claim: ClaimFacts) -> str | None:
        """The side of the claim's alleged perpetrator."""
        return self.side(claim.perpetrator_key)

    def target_side(self, claim: ClaimFacts) -> str | None:
        """The side of the claim's alleged target."""
        return self.side(claim.target_key)
