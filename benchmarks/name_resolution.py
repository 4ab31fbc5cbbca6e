"""Name resolution throughput over the full shipped gazetteer and the 2016 party registry.

Measures, on one core: exact/alias lookups per second and fuzzy lookups per second through the
real resolvers (PlaceIndex.resolve, PartyIndex.resolve), against a baseline in the same run that
scans every name with rapidfuzz.process.extractOne. Also reports how often the top answer is the
entity the misspelt name was made from (accuracy), for ours and for the baseline.

Run: python -m benchmarks.name_resolution [--queries N] [--repeats R]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from benchmarks.harness import Measurement, as_dict, measure, render_table, write_results
from ceasefire.db.engine import create_engine_for, session_factory, transaction
from ceasefire.interchange.replay import load_replay
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.text import normalize_name
from ceasefire.migrations.runner import upgrade
from ceasefire.parties.resolver import PartyIndex
from ceasefire.places.resolver import PlaceIndex

GOALS = {"alias_per_second": 20_000, "fuzzy_per_second": 2_000, "fuzzy_speedup": 10.0}


def load_indexes(workdir: Path) -> tuple[PlaceIndex, PartyIndex]:
    """Load the gazetteer and the replay into a fresh SQLite database and build both indexes."""
    engine = create_engine_for(f"sqlite:///{workdir / 'bench.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        load_replay(session, actor=SYSTEM)
    with transaction(sessions) as session:
        return PlaceIndex.from_session(session), PartyIndex.load(session)


def misspell(name: str, rng: random.Random) -> str:
    """One or two typing or transliteration slips: substitute, drop, swap, double a letter."""
    chars = list(name)
    for _ in range(rng.choice((1, 2))):
        if len(chars) < 4:
            break
        i = rng.randrange(1, len(chars) - 1)
        slip = rng.choice(("sub", "drop", "swap", "double"))
        if slip == "sub":
            chars[i] = rng.choice("aeiouyhkq")
        elif slip == "drop":
            del chars[i]
        elif slip == "swap":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def queries(
    pairs: Sequence[tuple[str, str]], n: int, rng: random.Random, *, fuzzy: bool
) -> list[tuple[str, str]]:
    """n (query, expected key) pairs drawn from (name, key) pairs, misspelt when fuzzy."""
    picked = [rng.choice(pairs) for _ in range(n)]
    if not fuzzy:
        return picked
    out = []
    for value, key in picked:
        slipped = misspell(value, rng)
        out.append((slipped, key))
    return out


def run_resolver(
    resolve: Callable[[str], Sequence[object]], qs: Sequence[tuple[str, str]]
) -> Callable[[], int]:
    def go() -> int:
        for text, _ in qs:
            resolve(text)
        return len(qs)

    return go


def accuracy(
    top: Callable[[str], str | None], qs: Sequence[tuple[str, str]], keys_of: Callable[[str], set[str]]
) -> float:
    """Share of queries whose top answer is the entity the query was made from (or a homonym of it)."""
    hits = sum(1 for text, key in qs if (answer := top(text)) is not None and answer in keys_of(key))
    return hits / len(qs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=2000, help="queries per case")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per case (median reported)")
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as tmp:
        places, parties = load_indexes(Path(tmp))

    place_pairs = [(e.value, e.key) for e in places.names.entries if len(e.normalized) >= 4]
    party_pairs = [(e.value, e.key) for e in parties.index.entries if len(e.normalized) >= 4]
    # Homonyms: a query made from a name shared by several entities is right if it finds any of them.
    holders: dict[str, set[str]] = {}
    for entries in (places.names.entries, parties.index.entries):
        for e in entries:
            holders.setdefault(e.normalized, set()).add(e.key)
    key_names: dict[str, set[str]] = {}
    for e in [*places.names.entries, *parties.index.entries]:
        key_names.setdefault(e.key, set()).update(holders[e.normalized])

    def same(key: str) -> set[str]:
        return key_names.get(key, {key})

    all_names = sorted({e.normalized for e in [*places.names.entries, *parties.index.entries]})
    name_keys: dict[str, str] = {}
    for e in [*places.names.entries, *parties.index.entries]:
        name_keys.setdefault(e.normalized, e.key)

    n = args.queries
    place_exact = queries(place_pairs, n, rng, fuzzy=False)
    party_exact = queries(party_pairs, n, rng, fuzzy=False)
    place_fuzzy = queries(place_pairs, n, rng, fuzzy=True)
    party_fuzzy = queries(party_pairs, n, rng, fuzzy=True)
    mixed_fuzzy = place_fuzzy[: n // 2] + party_fuzzy[: n - n // 2]

    def ours(text: str) -> str | None:
        """Resolve an unknown name against both registries; the better name match wins."""
        place = places.resolve(text, limit=1)
        party = parties.resolve(text, limit=1)
        best = max(
            [(c.name_score, c.place_id) for c in place] + [(c.score, c.party_id) for c in party],
            default=None,
        )
        return best[1] if best else None

    def baseline(text: str) -> str | None:
        best = process.extractOne(normalize_name(text), all_names, scorer=fuzz.WRatio, score_cutoff=70)
        return name_keys[best[0]] if best else None

    baseline_queries = mixed_fuzzy[: max(100, n // 10)]  # the scan is slow: fewer queries, same median
    r = args.repeats
    cases: list[tuple[Measurement, str]] = [
        (
            measure(
                "place alias lookup (exact)",
                run_resolver(lambda t: places.resolve(t, limit=5), place_exact),
                repeats=r,
            ),
            "alias",
        ),
        (
            measure(
                "party alias lookup (exact)",
                run_resolver(lambda t: parties.resolve(t, limit=5), party_exact),
                repeats=r,
            ),
            "alias",
        ),
        (
            measure(
                "place fuzzy lookup",
                run_resolver(lambda t: places.resolve(t, limit=5), place_fuzzy),
                repeats=r,
            ),
            "fuzzy",
        ),
        (
            measure(
                "party fuzzy lookup",
                run_resolver(lambda t: parties.resolve(t, limit=5), party_fuzzy),
                repeats=r,
            ),
            "fuzzy",
        ),
        (
            measure("mixed fuzzy lookup (ours)", run_resolver(lambda t: ours(t), mixed_fuzzy), repeats=r),
            "ours",
        ),
        (
            measure(
                "baseline: extractOne over every name", run_resolver(baseline, baseline_queries), repeats=r
            ),
            "baseline",
        ),
    ]
    base = next(m for m, kind in cases if kind == "baseline")
    acc_ours = accuracy(ours, baseline_queries, same)  # the same queries as the baseline's
    acc_base = accuracy(baseline, baseline_queries, same)

    rows = []
    for m, _kind in cases:
        rows.append(
            (
                m.case,
                f"{m.operations}",
                f"{m.median_seconds * 1e6 / m.operations:.1f}",
                f"{m.per_second:,.0f}",
                f"{m.per_second / base.per_second:.1f}x",
            )
        )
    table = render_table(
        f"Name resolution: {len(places.places):,} places / {len(places.names):,} place names, "
        f"{len(parties.party_names):,} parties / {len(parties):,} aliases; {len(all_names):,} distinct names",
        rows,
        ("case", "queries", "median µs/query", "queries/s", "vs baseline"),
    )
    alias_rate = min(m.per_second for m, k in cases if k == "alias")
    fuzzy_rate = min(m.per_second for m, k in cases if k in ("fuzzy", "ours"))
    ours_rate = next(m for m, k in cases if k == "ours").per_second
    speedup = ours_rate / base.per_second
    verdict = [
        (
            "alias lookups/s (slowest registry)",
            f"{alias_rate:,.0f}",
            f">= {GOALS['alias_per_second']:,}",
            "met" if alias_rate >= GOALS["alias_per_second"] else "NOT met",
        ),
        (
            "fuzzy lookups/s (slowest case)",
            f"{fuzzy_rate:,.0f}",
            f">= {GOALS['fuzzy_per_second']:,}",
            "met" if fuzzy_rate >= GOALS["fuzzy_per_second"] else "NOT met",
        ),
        (
            "fuzzy speed-up vs baseline",
            f"{speedup:.1f}x",
            f">= {GOALS['fuzzy_speedup']:.0f}x",
            "met" if speedup >= GOALS["fuzzy_speedup"] else "NOT met",
        ),
        ("top-1 accuracy on misspellings", f"ours {acc_ours:.1%}", f"baseline {acc_base:.1%}", ""),
    ]
    table += "\n" + render_table("Goals", verdict, ("measure", "value", "goal", "status"))
    print(table)
    write_results(
        "name_resolution",
        {
            "cases": [as_dict(m) for m, _ in cases],
            "alias_per_second": alias_rate,
            "fuzzy_per_second": fuzzy_rate,
            "fuzzy_speedup": speedup,
            "accuracy": {"ours": acc_ours, "baseline": acc_base},
            "goals": GOALS,
        },
        table,
    )


if __name__ == "__main__":
    main()
