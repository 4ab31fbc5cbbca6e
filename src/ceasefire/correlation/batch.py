"""Batch correlation of a whole dataset with arrays: grid and time buckets per level, sorted keys
and binary search for the neighbouring buckets, the signals of rules.py computed for all candidate
pairs at once, text compared only where it can change the outcome, and connected components
(union-find by pointer jumping) over the pairs at or above the attach threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from ceasefire.correlation import rules
from ceasefire.correlation.rules import WEIGHTS, Signal, Thresholds

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Progress = Callable[[int, int], None]
# Candidate pairs are made for this many items at a time, to bound memory.
CHUNK = 200_000


@dataclass
class Items:
    """Reports as arrays: one row per report."""

    t_center: F64  # hours since the epoch
    t_half: F64
    latitude: F64  # nan where unknown
    longitude: F64
    radius_km: F64
    category: NDArray[np.int16]  # rules.CATEGORY_CODES
    perpetrator: NDArray[np.int32]  # -1 unknown
    target: NDArray[np.int32]
    text: Sequence[str] | None = None

    def __len__(self) -> int:
        return len(self.t_center)


@dataclass
class Result:
    """Cluster labels (one per item) and what was counted on the way."""

    labels: I64
    candidate_pairs: int
    attached_pairs: int
    proposed_pairs: int
    text_comparisons: int
    proposals: tuple[I64, I64, F64] | None = None


# The batch's own grid: items are classed by how vague their place is (a point or a town, a
# district, a governorate, no place) and, separately, how vague their time is (a day, a week, a
# month, longer): a pair is looked for at the cell size of the vaguer place of the two and the
# bucket size of the vaguer time, so that a governorate named for an exact day does not make the
# search as wide in time as a month. Each (bound, cell or bucket size).
SPACE_CLASSES: tuple[tuple[float, float], ...] = ((5.0, 0.15), (25.0, 0.6), (80.0, 1.9))
TIME_CLASSES: tuple[tuple[float, float], ...] = ((12.5, 32.0), (84.5, 180.0), (372.5, 760.0))
UNLOCATED = len(SPACE_CLASSES)  # the space class of items with no place (or vaguer than all)
SEARCHES = UNLOCATED + 1  # how many times each item asks for its candidates (once a space class)


def classes(items: Items) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Each item's space class and time class (the last time class takes everything vaguer)."""
    radius = np.where(np.isnan(items.latitude), np.inf, items.radius_km)
    space = np.full(len(items), UNLOCATED, dtype=np.int8)
    for number, (bound, _) in reversed(list(enumerate(SPACE_CLASSES))):
        space[radius <= bound] = number
    when = np.full(len(items), len(TIME_CLASSES), dtype=np.int8)
    for number, (bound, _) in reversed(list(enumerate(TIME_CLASSES))):
        when[items.t_half <= bound] = number
    return space, when


def _time_class(number: int) -> tuple[float, float]:
    if number < len(TIME_CLASSES):
        return TIME_CLASSES[number]
    return (rules.MAX_HALF_HOURS, 2 * rules.MAX_HALF_HOURS)


def _reach(items: Items, space: int, when: int) -> tuple[float, int, int, int]:
    """The cell size, and how many cells (rows, columns) and buckets apart two items can be."""
    half, bucket_hours = _time_class(when)
    buckets = math.ceil((2 * min(half, rules.MAX_HALF_HOURS) + rules.TIME_SLACK_HOURS) / bucket_hours)
    if space == UNLOCATED:
        return 360.0, 0, 0, buckets  # one cell: an item with no place may be anywhere
    bound, cell = SPACE_CLASSES[space]
    lat = items.latitude[~np.isnan(items.latitude)]
    top = float(np.max(np.abs(lat))) if len(lat) else 0.0
    reach_km = 2 * bound + rules.PLACE_SLACK_KM
    rows = math.ceil(reach_km / (rules.KM_PER_DEGREE * cell))
    cos = max(0.1, math.cos(math.radians(min(89.0, top + rows * cell))))
    cols = math.ceil(reach_km / (rules.KM_PER_DEGREE * cos * cell))
    return cell, rows, cols, buckets


def _keys(items: Items, index: I64, cell: float, bucket_hours: float, block: I64) -> I64:
    lat, lon = items.latitude[index], items.longitude[index]
    located = ~np.isnan(lat) & (cell < 360.0)
    row = np.where(located, np.floor((np.nan_to_num(lat) + 90.0) / cell), 0).astype(np.int64)
    col = np.where(located, np.floor((np.nan_to_num(lon) + 180.0) / cell), 0).astype(np.int64)
    bucket = np.floor(items.t_center[index] / bucket_hours).astype(np.int64)
    keys: I64 = _key(row, col, bucket, block)
    return keys


def _key(row: Any, col: Any, bucket: Any, block: Any) -> Any:
    """One integer for (time bucket, row, column, block): arrays or numbers."""
    return ((bucket * (1 << 14) + row) * (1 << 14) + col) * (1 << 4) + block


_GROUP = np.asarray(rules.GROUP_OF_CODE, dtype=np.int16)
_GROUPS = int(_GROUP.max()) + 1


def _expand(lo: I64, hi: I64) -> tuple[I64, I64]:
    """For ranges [lo, hi): the index of the range of each position, and the positions."""
    counts = hi - lo
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(lo), dtype=np.int64), counts)
    first = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return owner, first + np.arange(total, dtype=np.int64)


def candidate_pairs(items: Items, *, chunk: int = CHUNK) -> Iterator[tuple[I64, I64, int]]:
    """Every pair of items that can be one event (each unordered pair once), in batches: those
    whose places and times are within reach at the pair's vaguer classes, and whose kinds of act
    are compatible (the act's group, "other" meeting all). A pair is found from the item with the
    vaguer time (then the vaguer place, then the higher index), among the items of each space
    class in turn, at the cell size of the vaguer place of the two. Each batch comes with how many
    items asked (every item asks once for each space class: SEARCHES in all)."""
    space, when = classes(items)
    group = _GROUP[items.category].astype(np.int64)
    index = np.arange(len(items), dtype=np.int64)
    for t_q in range(len(TIME_CLASSES) + 1):
        bucket_hours = _time_class(t_q)[1]
        for s_x in range(UNLOCATED + 1):
            targets = index[(space == s_x) & (when <= t_q)]
            if len(targets) == 0:
                continue
            # The targets sorted by key at each cell size (several queries' classes share one).
            sorted_at: dict[int, tuple[I64, I64]] = {}
            for s_q in range(UNLOCATED + 1):
                queries_all = index[(space == s_q) & (when == t_q)]
                if len(queries_all) == 0:
                    continue
                vaguer = max(s_q, s_x)
                cell, rows, cols, buckets = _reach(items, vaguer, t_q)
                if vaguer not in sorted_at:
                    keys = _keys(items, targets, cell, bucket_hours, group[targets])
                    order = np.argsort(keys, kind="stable")
                    sorted_at[vaguer] = keys[order], targets[order]
                sorted_keys, sorted_targets = sorted_at[vaguer]
                for start in range(0, len(queries_all), chunk):
                    queries = queries_all[start : start + chunk]
                    # Each query looks in its own group and in "other" (0); an "other" in all.
                    g = group[queries]
                    wanted_q = np.concatenate(
                        [queries[g != 0], queries, np.repeat(queries[g == 0], _GROUPS - 1)]
                    )
                    wanted_b = np.concatenate(
                        [
                            g[g != 0],
                            np.zeros(len(queries), np.int64),
                            np.tile(np.arange(1, _GROUPS), int((g == 0).sum())),
                        ]
                    )
                    base = _keys(items, wanted_q, cell, bucket_hours, wanted_b)
                    ascending = np.argsort(base, kind="stable")  # sorted needles: cache-friendly search
                    base, wanted_q = base[ascending], wanted_q[ascending]
                    lefts, rights = [], []
                    for db in range(-buckets, buckets + 1):
                        for dr in range(-rows, rows + 1):
                            for dc in range(-cols, cols + 1):
                                wanted = base + _key(dr, dc, db, 0)
                                lo = np.searchsorted(sorted_keys, wanted, side="left")
                                hi = np.searchsorted(sorted_keys, wanted, side="right")
                                owner, pos = _expand(lo, hi)
                                left, right = wanted_q[owner], sorted_targets[pos]
                                # Ties in time class: the vaguer place asks, then the higher index.
                                tied = when[right] == t_q
                                keep = ~tied | (space[right] < s_q) | ((space[right] == s_q) & (right < left))
                                lefts.append(left[keep])
                                rights.append(right[keep])
                    yield np.concatenate(lefts), np.concatenate(rights), len(queries)


def _haversine(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return np.asarray(2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a))), dtype=np.float64)


def _factor(values: F64, table: Sequence[tuple[float, float]], last: float) -> F64:
    out = np.full(len(values), last)
    for bound, factor in reversed(table):
        out[values <= bound] = factor
    return out


def _actors(
    pa: NDArray[np.int32], ta: NDArray[np.int32], pb: NDArray[np.int32], tb: NDArray[np.int32]
) -> F64:
    """rules.actors_signal on arrays, one perpetrator and one target per report: a code >= 0 is a
    registered party, -1 none, below -1 a name not resolved (the same name is the same actor;
    another name may or may not be)."""
    same_p, same_t = (pa == pb) & (pa != -1), (ta == tb) & (ta != -1)
    known_p = same_p | ((pa >= 0) & (pb >= 0))
    known_t = same_t | ((ta >= 0) & (tb >= 0))
    swapped = (pa == tb) & (pa != -1) & (ta == pb) & (ta != -1)
    out = np.full(len(pa), rules.ACTORS_DIFFERENT)
    out[~known_p & known_t & ~same_t] = rules.ACTORS_TARGET_ONLY
    out[~known_p & same_t] = rules.ACTORS_PARTIAL
    out[~known_p & ~known_t] = rules.ACTORS_UNKNOWN
    out[same_p & known_t & ~same_t] = rules.ACTORS_OTHER_TARGET
    out[same_p & ~known_t] = rules.ACTORS_PARTIAL
    out[same_p & same_t] = rules.ACTORS_SAME
    crossed = (pa == tb) & (pa != -1)
    half_swapped = crossed | ((ta == pb) & (ta != -1))
    other_a, other_b = np.where(crossed, ta, pa), np.where(crossed, pb, tb)
    other_differs = (other_a >= 0) & (other_b >= 0)  # both registered (equal would be a swap)
    half = ~same_p & half_swapped & (known_p | known_t)
    out[half & ~other_differs] = rules.ACTORS_HALF_SWAP
    out[half & other_differs] = rules.ACTORS_CROSSED
    out[swapped & ~same_p] = rules.ACTORS_SWAPPED
    return out


def prefilter(items: Items, a: I64, b: I64) -> NDArray[np.bool_]:
    """The cheap gates of rules.score first (time, act, actors), before any distance is computed."""
    gap = np.abs(items.t_center[a] - items.t_center[b]) - items.t_half[a] - items.t_half[b]
    keep = gap <= rules.TIME_SLACK_HOURS
    ga, gb = _GROUP[items.category[a]], _GROUP[items.category[b]]
    keep &= (ga == gb) | (ga == 0) | (gb == 0)
    pa, pb = items.perpetrator[a], items.perpetrator[b]
    ta, tb = items.target[a], items.target[b]
    # Both perpetrators registered and different, and no swap either way: different actors.
    differ = (pa >= 0) & (pb >= 0) & (pa != pb) & ~((pa == tb) | ((ta == pb) & (ta != -1)))
    keep &= ~(differ & (ta >= 0) & (tb >= 0) & (ta != tb))
    return keep


def score_pairs(items: Items, a: I64, b: I64) -> tuple[F64, F64, NDArray[np.bool_]]:
    """The score of each pair without the text signal, the text weight, and which pairs are
    candidates at all (rules.score's gates)."""
    gap = np.maximum(0.0, np.abs(items.t_center[a] - items.t_center[b]) - items.t_half[a] - items.t_half[b])
    lat_a, lat_b = items.latitude[a], items.latitude[b]
    located = ~np.isnan(lat_a) & ~np.isnan(lat_b)
    distance = np.where(located, _haversine(lat_a, items.longitude[a], lat_b, items.longitude[b]), 0.0)
    allowed = items.radius_km[a] + items.radius_km[b]
    allowed = np.where(located, allowed, np.maximum(allowed, 2 * rules.UNLOCATED_RADIUS_KM))
    ca, cb = items.category[a], items.category[b]
    ga, gb = _GROUP[ca], _GROUP[cb]
    category = np.where(
        ca == cb,
        rules.CATEGORY_SAME,
        np.where((ga == 0) | (gb == 0), rules.CATEGORY_OTHER, np.where(ga == gb, rules.CATEGORY_GROUP, -1.0)),
    )
    actors = _actors(items.perpetrator[a], items.target[a], items.perpetrator[b], items.target[b])
    ok = (gap <= rules.TIME_SLACK_HOURS) & (distance <= allowed + rules.PLACE_SLACK_KM) & (category >= 0)
    ok &= actors != rules.ACTORS_DIFFERENT
    half = 0.5 * allowed
    place = np.maximum(0.0, 1.0 - np.maximum(0.0, distance - half) / (half + 1.0))
    tf = _factor(np.maximum(items.t_half[a], items.t_half[b]), rules.TIME_FACTORS, rules.TIME_FACTOR_LAST)
    vague = np.maximum(
        np.where(np.isnan(lat_a), np.inf, items.radius_km[a]),
        np.where(np.isnan(lat_b), np.inf, items.radius_km[b]),
    )
    pf = _factor(vague, rules.PLACE_FACTORS, rules.PLACE_FACTOR_LAST)
    total = (
        WEIGHTS[Signal.TIME] * (1.0 - gap / rules.TIME_SLACK_HOURS) * tf
        + WEIGHTS[Signal.PLACE] * place * pf
        + WEIGHTS[Signal.CATEGORY] * np.maximum(category, 0.0)
        + WEIGHTS[Signal.ACTORS] * actors
    )
    return total, np.full(len(a), WEIGHTS[Signal.TEXT]), ok


def short_texts(texts: Sequence[str] | None) -> NDArray[np.bool_]:
    """Which texts say too little to compare (rules.says_little)."""
    if texts is None:
        return np.zeros(0, dtype=bool)
    return np.fromiter((rules.says_little(t) for t in texts), bool, len(texts))


def _text_scores(texts: Sequence[str] | None, a: I64, b: I64, little: NDArray[np.bool_] | None = None) -> F64:
    if texts is None:
        return np.full(len(a), rules.TEXT_MISSING)
    left = [texts[i] for i in a.tolist()]
    right = [texts[i] for i in b.tolist()]
    out = process.cpdist(left, right, scorer=fuzz.token_set_ratio, workers=-1).astype(np.float64) / 100.0
    little = short_texts(texts) if little is None else little
    missing = little[a] | little[b]
    out[missing] = rules.TEXT_MISSING
    return np.asarray(out, dtype=np.float64)


def average_linkage(
    n: int, a: I64, b: I64, score: F64, threshold: float, forbidden: I64 | None = None
) -> I64:
    """Clusters by average linkage over a sparse graph: edges are taken best first, and the two
    clusters of an edge are joined when the average score over all pairs across them (a pair that
    is no candidate counts 0) is at least the threshold. Unlike joining every edge above the
    threshold (connected components), one report that resembles two events does not chain them.
    `forbidden`: pairs (as min * n + max) never to be in one cluster (an analyst rejected them).
    Returns each item's cluster as its smallest member."""
    labels = np.arange(n, dtype=np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    weights = score.astype(np.float64)
    if forbidden is not None and len(forbidden):
        pair = lo * n + hi
        weights = np.where(np.isin(pair, forbidden), -np.inf, weights)
        extra = np.setdiff1d(forbidden, pair)  # rejected pairs that are no candidates now
        lo, hi = np.concatenate([lo, extra // n]), np.concatenate([hi, extra % n])
        weights = np.concatenate([weights, np.full(len(extra), -np.inf)])
    # Two clusters are only ever joined across an edge at or above the threshold, so a cluster
    # never reaches beyond the connected component of such edges: the edges between components,
    # and the nodes with no such edge, can be left out.
    strong = weights >= threshold
    parts = components(n, lo[strong], hi[strong])
    inside = parts[lo] == parts[hi]
    lo, hi, weights = lo[inside], hi[inside], weights[inside]
    # A component of two is the two joined (its one strong edge is the only pair across them).
    pairs = np.bincount(parts, minlength=n)[parts[lo]] == 2
    labels[lo[pairs]] = parts[lo[pairs]]
    labels[hi[pairs]] = parts[hi[pairs]]
    lo, hi, weights = lo[~pairs], hi[~pairs], weights[~pairs]
    if len(lo) == 0:
        return labels
    nodes, inverse = np.unique(np.concatenate([lo, hi]), return_inverse=True)
    left, right = inverse[: len(lo)].tolist(), inverse[len(lo) :].tolist()
    size = [1] * len(nodes)
    up = list(range(len(nodes)))
    links: list[dict[int, float]] = [{} for _ in range(len(nodes))]
    for x, y, w in zip(left, right, weights.tolist(), strict=True):
        links[x][y] = links[x].get(y, 0.0) + w
        links[y][x] = links[y].get(x, 0.0) + w

    def find(x: int) -> int:
        while up[x] != x:
            up[x] = up[up[x]]
            x = up[x]
        return x

    order = np.argsort(-weights, kind="stable")
    order = order[weights[order] >= threshold]
    for edge in order.tolist():
        x, y = find(left[edge]), find(right[edge])
        if x == y or links[x].get(y, 0.0) < threshold * size[x] * size[y]:
            continue
        if size[x] < size[y]:
            x, y = y, x
        up[y] = x
        size[x] += size[y]
        joined, gone = links[x], links[y]
        joined.pop(y, None)
        for other, w in gone.items():
            if other == x:
                continue
            joined[other] = joined.get(other, 0.0) + w
            back = links[other]
            back[x] = back.get(x, 0.0) + w
            del back[y]
        links[y] = {}
    roots = np.fromiter((find(i) for i in range(len(nodes))), np.int64, len(nodes))
    smallest = np.full(len(nodes), n, dtype=np.int64)
    np.minimum.at(smallest, roots, nodes)
    labels[nodes] = smallest[roots]
    return labels


def components(n: int, a: I64, b: I64) -> I64:
    """Connected components of the graph with these edges: each node's smallest member."""
    labels = np.arange(n, dtype=np.int64)
    if len(a) == 0:
        return labels
    while True:
        low = np.minimum(labels[a], labels[b])
        before = labels.copy()
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        labels = labels[labels]
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels, before):
            return labels


def correlate(
    items: Items,
    thresholds: Thresholds,
    *,
    progress: Progress | None = None,
    keep_proposals: bool = False,
    forbidden: Sequence[tuple[int, int]] = (),
) -> Result:
    """Cluster the items by average linkage (see average_linkage) at the attach threshold, over the
    candidate pairs that score at least the propose threshold; never a forbidden pair (one an
    analyst rejected) in one cluster. Proposals: the pairs at or above the propose threshold whose
    reports ended in different clusters."""
    n = len(items)
    kept_a: list[I64] = []
    kept_b: list[I64] = []
    kept_s: list[F64] = []
    candidates = texts = 0
    little = short_texts(items.text)
    asked = 0
    for a, b, count in candidate_pairs(items):
        cheap = prefilter(items, a, b)
        a, b = a[cheap], b[cheap]
        base, text_weight, ok = score_pairs(items, a, b)
        candidates += int(ok.sum())
        # Text is compared only where it can lift the pair to the propose threshold.
        reach = ok & (base + text_weight >= thresholds.propose)
        a, b, base, text_weight = a[reach], b[reach], base[reach], text_weight[reach]
        total = base + text_weight * _text_scores(items.text, a, b, little)
        texts += len(a)
        keep = total >= thresholds.propose
        kept_a.append(a[keep])
        kept_b.append(b[keep])
        kept_s.append(total[keep])
        asked += count
        if progress is not None:
            progress(min(n, asked // SEARCHES), n)
    if progress is not None:
        progress(n, n)
    ka = np.concatenate(kept_a) if kept_a else np.empty(0, np.int64)
    kb = np.concatenate(kept_b) if kept_b else np.empty(0, np.int64)
    ks = np.concatenate(kept_s) if kept_s else np.empty(0)
    banned = None
    if len(forbidden):
        pairs = np.asarray(forbidden, dtype=np.int64).reshape(-1, 2)
        banned = np.unique(np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1]))
    labels = average_linkage(n, ka, kb, ks, thresholds.attach, banned)
    together = labels[ka] == labels[kb]
    proposals = None
    if keep_proposals:
        apart = ~together
        proposals = (ka[apart], kb[apart], ks[apart])
    attached = int((together & (ks >= thresholds.attach)).sum())
    return Result(labels, candidates, attached, int((~together).sum()), texts, proposals)
