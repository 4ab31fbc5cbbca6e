"""Correlation rules, the batch correlator, the metrics and the synthetic generator (pure)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from sklearn.metrics import pair_confusion_matrix

from ceasefire.correlation import batch, metrics, rules, synthetic
from ceasefire.correlation.rules import Item, Thresholds

T0 = rules.hours(synthetic.START) + 100.0


def item(**overrides: object) -> Item:
    data: dict[str, object] = {
        "kind": "report",
        "ref": "r1",
        "t_center": T0,
        "t_half": 0.0,
        "latitude": 33.5326,
        "longitude": 36.3322,
        "radius_km": 1.0,
        "categories": frozenset({"shelling"}),
        "perpetrators": frozenset({"p:gov"}),
        "targets": frozenset({"p:opp"}),
        "text": "shelling on Jobar, 3 killed",
    }
    data.update(overrides)
    return Item(**data)  # type: ignore[arg-type]


def test_the_same_event_told_twice_scores_high_and_is_explained() -> None:
    scored = rules.score(item(), item(ref="r2", t_center=T0 + 1, text="artillery shells fell on Joubar"))
    assert scored is not None
    assert scored.total >= Thresholds().attach
    explained = scored.explanation()
    assert set(explained["signals"]) == {"time", "place", "category", "actors", "text"}  # type: ignore[arg-type]
    assert math.isclose(sum(explained["weights"].values()), 1.0)  # type: ignore[union-attr]
    contributions = explained["contributions"]
    assert math.isclose(sum(contributions.values()), scored.total, abs_tol=1e-3)  # type: ignore[union-attr]


def test_a_counter_accusation_is_a_strong_signal() -> None:
    accused = item(ref="r2", perpetrators=frozenset({"p:opp"}), targets=frozenset({"p:gov"}))
    scored = rules.score(item(), accused)
    assert scored is not None
    assert scored.counter_accusation
    assert scored.signals["actors"] == 1.0


def test_different_actors_exclusive_acts_far_places_or_times_are_no_candidates() -> None:
    assert rules.score(item(), item(ref="r2", perpetrators=frozenset({"p:other"}))) is None
    assert rules.score(item(), item(ref="r2", categories=frozenset({"abduction"}))) is None
    assert rules.score(item(), item(ref="r2", latitude=36.2)) is None
    assert rules.score(item(), item(ref="r2", t_center=T0 + 30)) is None


def test_vague_reports_count_less_than_precise_ones() -> None:
    precise = rules.score(item(), item(ref="r2"))
    vague = rules.score(item(), item(ref="r2", radius_km=80.0, t_half=360.0))
    assert precise is not None
    assert vague is not None
    assert vague.total < precise.total


def test_an_unresolved_name_is_not_taken_for_another_actor() -> None:
    named = item(ref="r2", perpetrators=frozenset({"t:syrian army"}))
    scored = rules.score(item(), named)
    assert scored is not None
    assert scored.signals["actors"] == rules.ACTORS_PARTIAL


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(attach=0.5, propose=0.7)
    assert rules.decide(0.9, Thresholds()) == "attach"
    assert rules.decide(0.5, Thresholds()) == "propose"
    assert rules.decide(0.2, Thresholds()) == "apart"


def _found(a: Item, b: Item) -> bool:
    """Whether b, filed in the index, is found when looking up a."""
    filed = dict(rules.filed_keys(b))
    for keys, low, high in rules.search_keys(a):
        for key in keys:
            home = filed.get(key)
            if home is not None and (home <= high if low == 0 else home == high):
                return True
    return False


def test_every_candidate_pair_shares_a_key_of_the_index() -> None:
    rng = random.Random(7)
    radii = (1.0, 5.0, 25.0, 80.0)
    halves = (0.0, 12.0, 84.0, 372.0)
    checked = 0
    for _ in range(3000):
        a = item(
            t_center=T0 + rng.uniform(-5, 5),
            t_half=rng.choice(halves),
            radius_km=rng.choice(radii),
            latitude=35 + rng.uniform(-0.5, 0.5),
            longitude=37 + rng.uniform(-0.5, 0.5),
        )
        b = item(
            ref="r2",
            t_center=a.t_center + rng.uniform(-400, 400),
            t_half=rng.choice(halves),
            radius_km=rng.choice(radii),
            latitude=a.latitude + rng.uniform(-1, 1),  # type: ignore[operator]
            longitude=a.longitude + rng.uniform(-1, 1),  # type: ignore[operator]
            perpetrators=frozenset({"p:opp"}) if rng.random() < 0.3 else frozenset({"p:gov"}),
            targets=frozenset({"p:gov"}) if rng.random() < 0.3 else frozenset({"p:opp"}),
        )
        if rules.score(a, b) is None:
            continue
        vague = (
            rules.home_level(a).number >= rules.BLOCKED_FROM
            or rules.home_level(b).number >= rules.BLOCKED_FROM
        )
        if vague and set(rules.blocks(a)).isdisjoint(rules.blocks(b)):
            continue  # vague items meet only items of the same act and actors
        checked += 1
        assert _found(a, b), (a, b)
        assert _found(b, a), (a, b)
    assert checked > 300


def test_pairwise_counts_match_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    truth, predicted = rng.integers(0, 30, 400), rng.integers(0, 40, 400)
    both, false_pos, false_neg = metrics.pair_counts(truth, predicted)
    matrix = pair_confusion_matrix(truth, predicted) // 2
    assert (both, false_pos, false_neg) == (matrix[1, 1], matrix[0, 1], matrix[1, 0])


def test_metrics_of_a_perfect_and_a_lumped_clustering() -> None:
    truth = np.asarray([0, 0, 1, 1, 2])
    perfect = metrics.quality(truth, truth)
    assert perfect.pairwise_f1 == 1.0
    assert perfect.bcubed_f1 == 1.0
    lumped = metrics.quality(truth, np.zeros(5, dtype=int))
    assert lumped.pairwise_recall == 1.0
    assert lumped.pairwise_precision == pytest.approx(2 / 10)
    assert lumped.bcubed_precision == pytest.approx((2 * 2 / 5 * 2 + 1 / 5) / 5)


def test_the_generator_is_seeded_and_noisy() -> None:
    first, again = synthetic.generate(2000, seed=5), synthetic.generate(2000, seed=5)
    assert np.array_equal(first.truth, again.truth)
    assert first.text == again.text
    assert len(first) == 2000
    assert (first.source_side == 1).any()  # counter-accusations
    assert len(set(first.time_precision.tolist())) == 4
    assert (first.perpetrator < -1).any()  # names the registry does not resolve
    claim = first.claim(0)
    assert claim["act_category"] in rules.CATEGORY_CODES


def test_batch_groups_synthetic_reports_well_above_chance() -> None:
    data = synthetic.generate(3000, seed=11)
    seen: list[tuple[int, int]] = []
    result = batch.correlate(
        data.items(), Thresholds(), progress=lambda done, total: seen.append((done, total))
    )
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # the bar only moves on
    assert seen[-1] == (3000, 3000)
    quality = metrics.quality(data.truth, result.labels)
    assert quality.pairwise_f1 > 0.7
    assert quality.bcubed_f1 > 0.8
    singletons = metrics.quality(data.truth, np.arange(len(data)))
    assert quality.bcubed_f1 > singletons.bcubed_f1 + 0.2


def test_batch_scores_agree_with_the_pair_rules() -> None:
    data = synthetic.generate(600, seed=3)
    items = data.items()
    found = list(batch.candidate_pairs(items))
    a, b = np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])
    base, weight, ok = batch.score_pairs(items, a, b)
    text = batch._text_scores(items.text, a, b)
    categories = list(rules.CATEGORY_CODES)

    def scalar(i: int) -> Item:
        code_p, code_t = int(data.perpetrator[i]), int(data.target[i])
        key = lambda c: frozenset() if c == -1 else frozenset({f"p:{c}" if c >= 0 else f"t:x{c}"})  # noqa: E731
        return item(
            ref=str(i),
            t_center=float(items.t_center[i]),
            t_half=float(items.t_half[i]),
            latitude=float(items.latitude[i]),
            longitude=float(items.longitude[i]),
            radius_km=float(items.radius_km[i]),
            categories=frozenset({categories[int(items.category[i])]}),
            perpetrators=key(code_p),
            targets=key(code_t),
            text=data.text[i],
        )

    compared = 0
    for x, y, total, candidate, words in zip(a.tolist(), b.tolist(), base, ok, text, strict=True):
        scored = rules.score(scalar(x), scalar(y))
        if (
            min(int(data.perpetrator[x]), int(data.perpetrator[y]), int(data.target[x]), int(data.target[y]))
            < -1
        ):
            continue  # unresolved names: the pair rules also compare them fuzzily
        assert (scored is not None) == bool(candidate)
        if scored is not None:
            assert scored.total == pytest.approx(total + weight[0] * words, abs=1e-6)
            compared += 1
    assert compared > 50


def test_components_and_average_linkage() -> None:
    labels = batch.components(5, np.asarray([0, 1, 3]), np.asarray([1, 2, 4]))
    assert labels.tolist() == [0, 0, 0, 3, 3]
    # Two tight pairs (0, 1) and (2, 3); report 4 resembles 1 and 2 well, the others not at all:
    # components would chain all five, average linkage keeps the events apart.
    a, b = np.asarray([0, 2, 1, 4, 4]), np.asarray([1, 3, 4, 2, 0])
    score = np.asarray([0.95, 0.9, 0.8, 0.8, 0.1])
    chained = batch.components(5, a[score >= 0.6], b[score >= 0.6])
    assert len(set(chained.tolist())) == 1
    linked = batch.average_linkage(5, a, b, score, 0.6)
    assert linked[0] == linked[1]
    assert linked[2] == linked[3]
    assert linked[0] != linked[2]
    # A forbidden pair (an analyst's rejection) is never in one cluster, even when it scores well.
    apart = batch.average_linkage(5, a, b, score, 0.6, forbidden=np.asarray([0 * 5 + 1]))
    assert apart[0] != apart[1]
    none = np.empty(0, np.int64)
    assert batch.average_linkage(3, none, none, np.empty(0), 0.6).tolist() == [0, 1, 2]


def test_candidate_pairs_are_every_pair_that_can_be_one_event_once() -> None:
    data = synthetic.generate(2500, seed=17)
    items = data.items()
    # Some reports with no place at all, and some vaguer than a month.
    items.latitude[::97] = np.nan
    items.longitude[::97] = np.nan
    items.t_half[::89] = 1200.0
    found = list(batch.candidate_pairs(items, chunk=400))
    a, b = np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])
    pairs = np.minimum(a, b) * len(items) + np.maximum(a, b)
    assert len(np.unique(pairs)) == len(pairs)  # each pair once
    everything = np.triu_indices(len(items), 1)
    x, y = everything[0].astype(np.int64), everything[1].astype(np.int64)
    cheap = batch.prefilter(items, x, y)
    _, _, ok = batch.score_pairs(items, x[cheap], y[cheap])
    can = x[cheap][ok] * len(items) + y[cheap][ok]
    assert len(can) > 1000
    assert np.isin(can, pairs).all()


def test_a_place_name_alone_is_no_text_to_compare() -> None:
    long = "Artillery shells fell on Jobar, three killed."
    assert rules.text_signal("Jobar", long) == rules.TEXT_MISSING  # not 1.0, as one set in the other
    assert rules.text_signal(long, "Jobar shelling") == rules.TEXT_MISSING
    assert rules.text_signal(long, "Mortar fire hit Joubar, two killed") < 1.0
    texts = ["Jobar", long, "Mortar fire hit Joubar, two killed"]
    scores = batch._text_scores(texts, np.asarray([0, 1]), np.asarray([1, 2]))
    assert scores[0] == rules.TEXT_MISSING
    assert scores[1] == pytest.approx(rules.text_signal(long, texts[2]))
