"""Batch correlation of a whole dataset with arrays: grid and time buckets per level, sorted keys
and binary search for the neighbouring buckets, the signals of rules.py computed for all candidate
pairs at once, text compared only where it can change the outcome, and connected components
(union-find by pointer jumping) over the pairs at or above the attach threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz

from ceasefire.correlation import rules
from ceasefire.correlation.rules import LEVELS, WEIGHTS, Signal, Thresholds

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


def home_levels(items: Items) -> NDArray[np.int8]:
    """Each item's home level (rules.home_level, on arrays)."""
    radius = np.where(np.isnan(items.latitude), np.inf, items.radius_km)
    home = np.full(len(items), len(LEVELS) - 1, dtype=np.int8)
    for level in reversed(LEVELS[:-1]):
        fits = (radius <= level.max_radius_km) & (items.t_half <= level.max_half_hours)
        home[fits] = level.number
    return home


def _cells(items: Items, level: rules.Level, index: I64) -> tuple[I64, I64, I64]:
    lat, lon = items.latitude[index], items.longitude[index]
    located = ~np.isnan(lat)
    row = np.where(located, np.floor((np.nan_to_num(lat) + 90.0) / level.cell_degrees), rules.NOWHERE[0])
    col = np.where(located, np.floor((np.nan_to_num(lon) + 180.0) / level.cell_degrees), rules.NOWHERE[1])
    bucket = np.floor(items.t_center[index] / level.bucket_hours)
    return row.astype(np.int64), col.astype(np.int64), bucket.astype(np.int64)


def _key(row: I64, col: I64, bucket: I64, block: I64) -> I64:
    return ((bucket * (1 << 14) + row) * (1 << 14) + col) * (1 << 20) + block


def _blocks(items: Items, index: I64) -> I64:
    """rules.blocks on arrays: act category and unordered pair of actors (one block per report)."""
    span = int(max(items.perpetrator.max(initial=0), items.target.max(initial=0))) + 2
    p = items.perpetrator[index].astype(np.int64) + 1
    t = items.target[index].astype(np.int64) + 1
    pair = np.minimum(p, t) * span + np.maximum(p, t)
    block: I64 = (items.category[index].astype(np.int64) * span * span + pair) % (1 << 20)
    return block


def _reach(items: Items, level: rules.Level) -> tuple[int, int, int]:
    """How many cells (rows, columns) and buckets apart two items of this level can be."""
    lat = items.latitude[~np.isnan(items.latitude)]
    top = float(np.max(np.abs(lat))) if len(lat) else 0.0
    reach_km = 2 * level.max_radius_km + rules.PLACE_SLACK_KM
    rows = math.ceil(reach_km / (rules.KM_PER_DEGREE * level.cell_degrees))
    cos = max(0.1, math.cos(math.radians(min(89.0, top + rows * level.cell_degrees))))
    cols = math.ceil(reach_km / (rules.KM_PER_DEGREE * cos * level.cell_degrees))
    buckets = math.ceil((2 * level.max_half_hours + rules.TIME_SLACK_HOURS) / level.bucket_hours)
    return rows, cols, buckets


def _expand(lo: I64, hi: I64) -> tuple[I64, I64]:
    """For ranges [lo, hi): the index of the range of each position, and the positions."""
    counts = hi - lo
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(lo), dtype=np.int64), counts)
    first = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return owner, first + np.arange(total, dtype=np.int64)


def candidate_pairs(
    items: Items, home: NDArray[np.int8], level: rules.Level, queries: I64
) -> tuple[I64, I64]:
    """Pairs (query, other) of this level: queries of this home level against items of this or a
    finer home level in neighbouring cells and buckets; each unordered pair once."""
    targets = np.flatnonzero(home <= level.number)
    row, col, bucket = _cells(items, level, targets)
    block = (
        _blocks(items, targets) if level.number >= rules.BLOCKED_FROM else np.zeros(len(targets), np.int64)
    )
    keys = _key(row, col, bucket, block)
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_targets = keys[order], targets[order]
    position = np.searchsorted(targets, queries)  # queries are a subset of targets
    q_row, q_col, q_bucket, q_block = row[position], col[position], bucket[position], block[position]
    rows, cols, buckets = _reach(items, level)
    lefts, rights = [], []
    for db in range(-buckets, buckets + 1):
        for dr in range(-rows, rows + 1):
            for dc in range(-cols, cols + 1):
                wanted = _key(q_row + dr, q_col + dc, q_bucket + db, q_block)
                lo = np.searchsorted(sorted_keys, wanted, side="left")
                hi = np.searchsorted(sorted_keys, wanted, side="right")
                owner, pos = _expand(lo, hi)
                left, right = queries[owner], sorted_targets[pos]
                keep = (home[right] < level.number) | (left < right)
                lefts.append(left[keep])
                rights.append(right[keep])
    return np.concatenate(lefts), np.concatenate(rights)


def _haversine(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return np.asarray(2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a))), dtype=np.float64)


def _factor(values: F64, bounds: Sequence[float], factors: Sequence[float], last: float) -> F64:
    out = np.full(len(values), last)
    for bound, factor in reversed(list(zip(bounds, factors, strict=True))):
        out[values <= bound] = factor
    return out


_GROUP = np.asarray(rules.GROUP_OF_CODE, dtype=np.int16)


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
    half_swapped = ((pa == tb) & (pa != -1)) | ((ta == pb) & (ta != -1))
    out[~same_p & half_swapped & (known_p | known_t)] = rules.ACTORS_PARTIAL
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
    tf = np.minimum(
        _factor(items.t_half[a], (12.5, 84.5), (1.0, 0.8), 0.6),
        _factor(items.t_half[b], (12.5, 84.5), (1.0, 0.8), 0.6),
    )
    pf_a = _factor(
        np.where(np.isnan(lat_a), np.inf, items.radius_km[a]), (5.0, 25.0, 80.0), (1.0, 0.8, 0.6), 0.3
    )
    pf_b = _factor(
        np.where(np.isnan(lat_b), np.inf, items.radius_km[b]), (5.0, 25.0, 80.0), (1.0, 0.8, 0.6), 0.3
    )
    total = (
        WEIGHTS[Signal.TIME] * (1.0 - gap / rules.TIME_SLACK_HOURS) * tf
        + WEIGHTS[Signal.PLACE] * place * np.minimum(pf_a, pf_b)
        + WEIGHTS[Signal.CATEGORY] * np.maximum(category, 0.0)
        + WEIGHTS[Signal.ACTORS] * actors
    )
    return total, np.full(len(a), WEIGHTS[Signal.TEXT]), ok


def _text_scores(texts: Sequence[str] | None, a: I64, b: I64) -> F64:
    if texts is None:
        return np.full(len(a), rules.TEXT_MISSING)
    out = np.empty(len(a))
    ratio = fuzz.token_set_ratio
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        left, right = texts[x], texts[y]
        out[i] = ratio(left, right) / 100.0 if left and right else rules.TEXT_MISSING
    return out


def _ranks(node: I64, score: F64) -> I64:
    """The rank of each edge among the edges of its node, best score first (0 = best)."""
    order = np.lexsort((-score, node))
    sorted_nodes = node[order]
    starts = np.flatnonzero(np.r_[True, sorted_nodes[1:] != sorted_nodes[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(node)]))
    ranks = np.empty(len(node), dtype=np.int64)
    ranks[order] = np.arange(len(node)) - run_start
    return ranks


def mutual_best(a: I64, b: I64, score: F64, k: int) -> NDArray[np.bool_]:
    """Edges among the k best of both their ends: keeps one event's reports together without
    chaining neighbouring events through a report that resembles both."""
    if len(a) == 0:
        return np.zeros(0, dtype=bool)
    ranks_a = _ranks(np.concatenate([a, b]), np.concatenate([score, score]))
    return (ranks_a[: len(a)] < k) & (ranks_a[len(a) :] < k)


def split_large(n: int, a: I64, b: I64, score: F64, attach: float, max_size: int) -> I64:
    """Components, where one grows past max_size (chained events, not one event told many times
    over), its weakest edges go, in steps of 0.05 of the score, until it falls apart."""
    labels = components(n, a, b)
    level = attach
    while len(a) and level < 1.0:
        sizes = np.bincount(labels, minlength=n)
        big = sizes[labels[a]] > max_size
        if not big.any():
            break
        level += 0.05
        keep = ~big | (score >= level)
        a, b, score = a[keep], b[keep], score[keep]
        labels = components(n, a, b)
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
    neighbours: int = 3,
    max_size: int = 8,
) -> Result:
    """Cluster the items: pairs at or above the attach threshold are joined (transitively), but
    never a forbidden pair (one an analyst rejected) directly."""
    n = len(items)
    home = home_levels(items)
    attach_a: list[I64] = []
    attach_b: list[I64] = []
    attach_s: list[F64] = []
    prop: list[tuple[I64, I64, F64]] = []
    candidates = texts = proposed = 0
    done = 0
    for level in LEVELS:
        queries_all = np.flatnonzero(home == level.number)
        for start in range(0, len(queries_all), CHUNK):
            queries = queries_all[start : start + CHUNK]
            a, b = candidate_pairs(items, home, level, queries)
            cheap = prefilter(items, a, b)
            a, b = a[cheap], b[cheap]
            base, text_weight, ok = score_pairs(items, a, b)
            a, b, base, text_weight = a[ok], b[ok], base[ok], text_weight[ok]
            candidates += len(a)
            # Text is compared only where it can move the pair across a threshold.
            low = thresholds.propose if keep_proposals else thresholds.attach
            undecided = (base < thresholds.attach) & (base + text_weight >= low)
            total = base + text_weight * rules.TEXT_MISSING
            total = np.where(base >= thresholds.attach, base, total)
            if undecided.any():
                total[undecided] = base[undecided] + text_weight[undecided] * _text_scores(
                    items.text, a[undecided], b[undecided]
                )
                texts += int(undecided.sum())
            join = total >= thresholds.attach
            attach_a.append(a[join])
            attach_b.append(b[join])
            attach_s.append(total[join])
            band = ~join & (total >= thresholds.propose)
            proposed += int(band.sum())
            if keep_proposals:
                prop.append((a[band], b[band], total[band]))
            done += len(queries)
            if progress is not None:
                progress(done, n)
    ja = np.concatenate(attach_a) if attach_a else np.empty(0, np.int64)
    jb = np.concatenate(attach_b) if attach_b else np.empty(0, np.int64)
    js = np.concatenate(attach_s) if attach_s else np.empty(0)
    if neighbours:
        keep = mutual_best(ja, jb, js, neighbours)
        ja, jb, js = ja[keep], jb[keep], js[keep]
    if len(forbidden):
        pairs = np.asarray(forbidden, dtype=np.int64).reshape(-1, 2)
        banned = np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1])
        keep = ~np.isin(np.minimum(ja, jb) * n + np.maximum(ja, jb), banned)
        ja, jb, js = ja[keep], jb[keep], js[keep]
    labels = split_large(n, ja, jb, js, thresholds.attach, max_size)
    proposals = None
    if keep_proposals:
        proposals = (
            np.concatenate([p[0] for p in prop]) if prop else np.empty(0, np.int64),
            np.concatenate([p[1] for p in prop]) if prop else np.empty(0, np.int64),
            np.concatenate([p[2] for p in prop]) if prop else np.empty(0),
        )
    return Result(labels, candidates, len(ja), proposed, texts, proposals)
