"""Pure rules of correlation: what a report or incident looks like to the correlator, which pairs
are candidates, how a pair is scored (each signal and its weight kept, so the score is explained),
and where a pair is filed in the space-time index.

Times are hours since the Unix epoch (floats), places degrees and kilometres. The batch correlator
(batch.py) applies the same signals and weights to arrays; a test checks both agree.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from rapidfuzz import fuzz

from ceasefire.kernel.text import normalize_name
from ceasefire.kernel.vocab import ActCategory, LocationPrecision

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KM_PER_DEGREE = 111.32
# How far apart two reports of one event may put it beyond what their precisions allow.
TIME_SLACK_HOURS = 6.0
PLACE_SLACK_KM = 2.0
# The radius a location precision stands for (km); no location at all is taken as this wide.
RADIUS_KM: dict[str, float] = {
    LocationPrecision.EXACT_POINT: 1.0,
    LocationPrecision.TOWN: 5.0,
    LocationPrecision.DISTRICT: 25.0,
    LocationPrecision.GOVERNORATE: 80.0,
    LocationPrecision.UNKNOWN: 300.0,
}
UNLOCATED_RADIUS_KM = 300.0

# Act categories grouped by the kind of act: a different category in the same group is compatible
# (a shell reported as a rocket), one in another group is not; "other" is compatible with all.
_GROUPS: dict[str, int] = {
    ActCategory.AIR_STRIKE: 1,
    ActCategory.SHELLING: 1,
    ActCategory.ROCKET_FIRE: 1,
    ActCategory.CHEMICAL_WEAPON: 1,
    ActCategory.ARMED_ATTACK: 2,
    ActCategory.SNIPER_FIRE: 2,
    ActCategory.GROUND_OFFENSIVE: 2,
    ActCategory.TERRITORIAL_SEIZURE: 2,
    ActCategory.ATTACK_ON_MEDICAL_FACILITY: 3,
    ActCategory.ATTACK_ON_HUMANITARIAN_CONVOY: 3,
    ActCategory.ATTACK_ON_CIVILIANS: 3,
    ActCategory.SUICIDE_BOMBING: 4,
    ActCategory.IED: 4,
    ActCategory.ABDUCTION: 5,
    ActCategory.OBSTRUCTION_OF_AID: 6,
    ActCategory.SIEGE: 6,
    ActCategory.OTHER: 0,
}
CATEGORY_CODES: dict[str, int] = {c.value: i for i, c in enumerate(ActCategory)}
GROUP_OF_CODE: tuple[int, ...] = tuple(_GROUPS[c] for c in ActCategory)


class Signal(StrEnum):
    """The signals a score is made of."""

    TIME = "time"
    PLACE = "place"
    CATEGORY = "category"
    ACTORS = "actors"
    TEXT = "text"


# Weights of the signals (they sum to 1, so a score is in [0, 1]). Time and place narrow the
# candidates down before any score is made, so what tells one event from its neighbours is mostly
# who did what to whom, and the details the narratives share.
WEIGHTS: dict[Signal, float] = {
    Signal.TIME: 0.15,
    Signal.PLACE: 0.15,
    Signal.CATEGORY: 0.1,
    Signal.ACTORS: 0.25,
    Signal.TEXT: 0.35,
}
# Actor signal values, by how much more often the case is met between reports of one event than
# between reports of neighbouring events: same perpetrator and target; the accused and accuser
# swapped (a counter-accusation: a strong sign of one event told by both sides); one actor the
# same and the other not named by one of them; half a counter-accusation (one report's perpetrator
# is the other's target) with the other actor not named; nothing named to compare; one actor the
# same or crossed and the other named differently; only the targets comparable, and different.
# Perpetrators and targets both named and different either way round: no candidate (0).
ACTORS_SAME, ACTORS_SWAPPED, ACTORS_PARTIAL, ACTORS_HALF_SWAP = 1.0, 1.0, 0.65, 0.45
ACTORS_UNKNOWN, ACTORS_OTHER_TARGET, ACTORS_CROSSED, ACTORS_TARGET_ONLY = 0.3, 0.05, 0.05, 0.05
ACTORS_DIFFERENT = 0.0
CATEGORY_SAME, CATEGORY_GROUP, CATEGORY_OTHER = 1.0, 0.5, 0.4
TEXT_MISSING = 0.5
# A text of fewer words (a place name alone) says nothing the place signal does not: it would match
# every longer text that names the place, as one token set inside another; it counts as missing.
MIN_TEXT_WORDS = 3
# A fuzzy name match this good (0-100) counts as the same unresolved actor.
ACTOR_TEXT_MATCH = 88.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Attach at or above `attach`; propose to an analyst at or above `propose`; else leave apart.

    `opens_incidents`: whether one report may open an incident with another report above the
    attach threshold (else that pairing is proposed, and an analyst or a batch run opens it).
    """

    attach: float = 0.55
    propose: float = 0.4
    max_proposals: int = 5
    opens_incidents: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.propose <= self.attach <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= propose <= attach <= 1")


@dataclass(frozen=True, slots=True)
class Item:
    """A report or an incident as the correlator sees it."""

    kind: str  # "report" or "incident"
    ref: str  # report lineage id or incident id
    t_center: float  # hours since the epoch
    t_half: float  # half the claimed window, hours
    latitude: float | None
    longitude: float | None
    radius_km: float
    categories: frozenset[str]
    perpetrators: frozenset[str] = field(default_factory=frozenset)
    targets: frozenset[str] = field(default_factory=frozenset)
    text: str = ""


@dataclass(frozen=True, slots=True)
class Score:
    """A pair's score and its explanation: each signal's value and weight."""

    total: float
    signals: dict[str, float]
    weights: dict[str, float]
    counter_accusation: bool = False

    def explanation(self) -> dict[str, object]:
        """As stored with a proposal and shown to analysts."""
        return {
            "score": round(self.total, 4),
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
            "weights": dict(self.weights),
            "contributions": {k: round(v * self.weights[k], 4) for k, v in self.signals.items()},
            "counter_accusation": self.counter_accusation,
        }


def hours(at: datetime) -> float:
    """An instant as hours since the epoch."""
    return (at - EPOCH).total_seconds() / 3600.0


# How much a match in time counts given how vague the window is (upper bounds of half the window,
# hours, and the factor): the hour, the day, the week; a month matches little. Likewise places (upper
# bounds of the radius, km): a point, a town, a district, a governorate; nowhere counts nothing.
TIME_FACTORS = ((1.0, 1.0), (12.5, 0.8), (84.5, 0.4))
TIME_FACTOR_LAST = 0.15
PLACE_FACTORS = ((1.0, 1.0), (5.0, 0.85), (25.0, 0.5), (80.0, 0.2))
PLACE_FACTOR_LAST = 0.0


def time_factor(half_hours: float) -> float:
    """How much a time match counts given how vague the window is."""
    return next((f for bound, f in TIME_FACTORS if half_hours <= bound), TIME_FACTOR_LAST)


def place_factor(radius_km: float) -> float:
    """How much a place match counts given how vague the place is."""
    return next((f for bound, f in PLACE_FACTORS if radius_km <= bound), PLACE_FACTOR_LAST)


def radius_for(precision: str | None, located: bool) -> float:
    """The radius (km) a location precision stands for."""
    if not located:
        return UNLOCATED_RADIUS_KM
    return RADIUS_KM.get(precision or LocationPrecision.UNKNOWN, UNLOCATED_RADIUS_KM)


def actor_key(party_id: str | None, text: str | None) -> str | None:
    """An actor as compared: its party id where resolved, else its folded name, else None."""
    if party_id:
        return f"p:{party_id}"
    if text:
        folded = normalize_name(text)
        return f"t:{folded}" if folded else None
    return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _same_actor(a: str, b: str) -> bool | None:
    """Whether two actor keys name one actor; None when that cannot be told (an unresolved name)."""
    if a == b:
        return True
    if a.startswith("t:") and b.startswith("t:"):
        return True if fuzz.ratio(a[2:], b[2:]) >= ACTOR_TEXT_MATCH else None
    if a.startswith("t:") or b.startswith("t:"):
        return None
    return False


def _meets(left: frozenset[str], right: frozenset[str]) -> bool | None:
    """Whether two actor sets share an actor (True), surely do not (False), or cannot be told (None)."""
    if not left or not right:
        return None
    found = [_same_actor(a, b) for a in left for b in right]
    if any(f is True for f in found):
        return True
    return False if all(f is False for f in found) else None


def actors_signal(a: Item, b: Item) -> tuple[float, bool]:
    """The actor signal and whether the pair is a counter-accusation."""
    same_perp, same_target = _meets(a.perpetrators, b.perpetrators), _meets(a.targets, b.targets)
    crossed = _meets(a.perpetrators, b.targets), _meets(a.targets, b.perpetrators)
    if crossed[0] is True and crossed[1] is True and same_perp is not True:
        return ACTORS_SWAPPED, True
    if same_perp is True:
        value = {True: ACTORS_SAME, None: ACTORS_PARTIAL, False: ACTORS_OTHER_TARGET}[same_target]
        return value, False
    if True in crossed and (same_perp is False or same_target is not None):
        other = crossed[1] if crossed[0] is True else crossed[0]
        return (ACTORS_CROSSED if other is False else ACTORS_HALF_SWAP), False
    if same_perp is None and same_target is None:
        return ACTORS_UNKNOWN, False
    if same_perp is None and same_target is True:
        return ACTORS_PARTIAL, False
    if same_perp is None:
        return ACTORS_TARGET_ONLY, False
    return ACTORS_DIFFERENT, False


def category_signal(a: frozenset[str], b: frozenset[str]) -> float | None:
    """The category signal; None when the categories exclude each other (not a candidate)."""
    best: float | None = None
    for x in a:
        for y in b:
            gx, gy = _GROUPS.get(x, 0), _GROUPS.get(y, 0)
            value = (
                CATEGORY_SAME
                if x == y
                else CATEGORY_OTHER
                if gx == 0 or gy == 0
                else CATEGORY_GROUP
                if gx == gy
                else None
            )
            if value is not None and (best is None or value > best):
                best = value
    return best


def says_little(text: str) -> bool:
    """Whether a text is too short to compare (see MIN_TEXT_WORDS)."""
    return len(text.split()) < MIN_TEXT_WORDS


def text_signal(a: str, b: str) -> float:
    """Similarity of the texts (place names and narratives), 0-1; neutral when either is missing
    or says too little."""
    if says_little(a) or says_little(b):
        return TEXT_MISSING
    return fuzz.token_set_ratio(a, b) / 100.0


def gap_hours(a: Item, b: Item) -> float:
    """Hours between the two claimed windows (0 when they overlap)."""
    return max(0.0, abs(a.t_center - b.t_center) - a.t_half - b.t_half)


def place_gap_km(a: Item, b: Item) -> tuple[float, float]:
    """The distance between the two points and the distance their precisions allow."""
    allowed = a.radius_km + b.radius_km
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return 0.0, max(allowed, 2 * UNLOCATED_RADIUS_KM)
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude), allowed


def _vagueness(item: Item) -> float:
    return item.radius_km if item.latitude is not None else math.inf


def score(a: Item, b: Item) -> Score | None:
    """Score a pair; None when it is no candidate (too far apart in time or space, acts exclusive)."""
    gap = gap_hours(a, b)
    if gap > TIME_SLACK_HOURS:
        return None
    distance, allowed = place_gap_km(a, b)
    if distance > allowed + PLACE_SLACK_KM:
        return None
    category = category_signal(a.categories, b.categories)
    if category is None:
        return None
    half = 0.5 * allowed
    place = max(0.0, 1.0 - max(0.0, distance - half) / (half + 1.0))
    signals = {
        Signal.TIME.value: (1.0 - gap / TIME_SLACK_HOURS) * min(time_factor(a.t_half), time_factor(b.t_half)),
        Signal.PLACE.value: place * min(place_factor(_vagueness(a)), place_factor(_vagueness(b))),
        Signal.CATEGORY.value: category,
    }
    actors, swapped = actors_signal(a, b)
    if actors == ACTORS_DIFFERENT:
        return None  # both name the actors, and not the same ones either way round
    signals[Signal.ACTORS.value] = actors
    signals[Signal.TEXT.value] = text_signal(a.text, b.text)
    weights = {s.value: w for s, w in WEIGHTS.items()}
    total = sum(signals[k] * weights[k] for k in signals)
    return Score(total, signals, weights, swapped)


@dataclass(frozen=True, slots=True)
class Level:
    """One level of the space-time grid: items whose vagueness fits it are filed there."""

    number: int
    cell_degrees: float
    bucket_hours: float
    max_radius_km: float
    max_half_hours: float


# Every pair two items of a level can form lies within one cell and one bucket of each other.
LEVELS: tuple[Level, ...] = (
    Level(0, 0.15, 32.0, 5.0, 12.5),
    Level(1, 0.6, 180.0, 25.0, 84.5),
    Level(2, 1.9, 760.0, 80.0, 372.5),
    Level(3, 6.0, 3000.0, UNLOCATED_RADIUS_KM, 1500.0),
)
# Reports without a location are filed in this cell of the last level (no place is there) and
# compared with each other only, by time; every located item also looks there.
NOWHERE = (0, 0)
MAX_HALF_HOURS = LEVELS[-1].max_half_hours
_CELL_SPAN = 1 << 12  # cells per axis in a key: enough for cells of 0.09 degrees and up
_BUCKET_SPAN = 1 << 20
_BLOCK_SPAN = 1 << 16
# From this level on, an item is filed under its blocks (act category and the pair of actors):
# vague items meet only items that share both, which keeps their candidates few. A vague item
# scores at most the attach threshold anyway unless category and actors agree.
BLOCKED_FROM = 2


def home_level(item: Item) -> Level:
    """The finest level whose bounds contain the item's vagueness."""
    radius = item.radius_km if item.latitude is not None else math.inf
    for level in LEVELS:
        if radius <= level.max_radius_km and item.t_half <= level.max_half_hours:
            return level
    return LEVELS[-1]


def _cell(level: Level, latitude: float | None, longitude: float | None) -> tuple[int, int]:
    if latitude is None or longitude is None:
        return NOWHERE
    return math.floor((latitude + 90.0) / level.cell_degrees), math.floor(
        (longitude + 180.0) / level.cell_degrees
    )


def cell_key(level: Level, row: int, col: int, bucket: int, block: int = 0) -> int:
    """One integer for (level, time bucket, cell, block): what the index table is keyed by."""
    cell = ((level.number * _BUCKET_SPAN + bucket) * _CELL_SPAN + row) * _CELL_SPAN + col
    return cell * _BLOCK_SPAN + block


def blocks(item: Item) -> list[int]:
    """The item's blocks: one per act category and unordered pair of actors it names."""
    perpetrators, targets = sorted(item.perpetrators) or [""], sorted(item.targets) or [""]
    pairs = {"|".join(sorted((x, y))) for x in perpetrators for y in targets}
    return sorted(
        {
            zlib.crc32(f"{c}#{p}".encode()) % _BLOCK_SPAN
            for c in sorted(item.categories)
            for p in sorted(pairs)
        }
    )


def filed_keys(item: Item) -> list[tuple[int, int]]:
    """Where an item is filed: (key, home level) at its home level and every coarser one."""
    home = home_level(item)
    located = item.latitude is not None and item.longitude is not None
    levels = LEVELS[home.number :] if located else LEVELS[-1:]
    item_blocks = blocks(item)
    out = []
    for level in levels:
        row, col = _cell(level, item.latitude, item.longitude)
        bucket = math.floor(item.t_center / level.bucket_hours)
        for block in item_blocks if level.number >= BLOCKED_FROM else [0]:
            out.append((cell_key(level, row, col, bucket, block), home.number))
    return out


def search_keys(item: Item) -> Iterator[tuple[list[int], int, int]]:
    """What to look up for an item: per level, the keys and the range of home levels to take.

    At the item's home level, items of that or any finer home (filed there too); at each coarser
    level, the items whose home it is. Two items of one event are within a cell and a bucket of
    each other at the coarser of their home levels (the levels' sizes see to that), or within as
    many as the item's own vagueness needs; from BLOCKED_FROM on, only items of the same blocks.
    """
    home = home_level(item)
    located = item.latitude is not None and item.longitude is not None
    levels = LEVELS[home.number :] if located else LEVELS[-1:]
    item_blocks = blocks(item)
    for level in levels:
        row, col = _cell(level, item.latitude, item.longitude)
        bucket = math.floor(item.t_center / level.bucket_hours)
        reach_km = item.radius_km + level.max_radius_km + PLACE_SLACK_KM if located else 0.0
        lat = item.latitude or 0.0
        rows = math.ceil(reach_km / (KM_PER_DEGREE * level.cell_degrees)) if located else 0
        cos = max(0.1, math.cos(math.radians(min(89.0, abs(lat) + rows * level.cell_degrees))))
        cols = math.ceil(reach_km / (KM_PER_DEGREE * cos * level.cell_degrees)) if located else 0
        reach_h = min(item.t_half, MAX_HALF_HOURS) + level.max_half_hours + TIME_SLACK_HOURS
        buckets = math.ceil(reach_h / level.bucket_hours)
        wanted = item_blocks if level.number >= BLOCKED_FROM else [0]
        keys = [
            cell_key(level, r, c, b, block)
            for b in range(bucket - buckets, bucket + buckets + 1)
            for r in range(row - rows, row + rows + 1)
            for c in range(col - cols, col + cols + 1)
            for block in wanted
        ]
        low = 0 if level.number == home.number else level.number
        yield keys, low, level.number
    if located:
        level = LEVELS[-1]
        bucket = math.floor(item.t_center / level.bucket_hours)
        keys = [
            cell_key(level, *NOWHERE, b, block)
            for b in (bucket - 1, bucket, bucket + 1)
            for block in item_blocks
        ]
        yield keys, level.number, level.number


def decide(best: float, thresholds: Thresholds) -> str:
    """attach, propose or apart."""
    if best >= thresholds.attach:
        return "attach"
    if best >= thresholds.propose:
        return "propose"
    return "apart"
