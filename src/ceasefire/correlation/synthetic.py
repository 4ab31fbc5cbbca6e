"""A seeded generator of synthetic ground truth: incidents over Syria and time, each told by several
reports from different sides with realistic noise (vague times and places, counter-accusations,
differing casualty figures, spelling variants of places and parties), plus separate incidents close
in space and time to others. Used by the tests (small) and the benchmark (a million reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.correlation import rules
from ceasefire.correlation.batch import Items
from ceasefire.kernel.vocab import LocationPrecision

DEFAULT_SEED = 20160227
START = datetime(2016, 2, 27, tzinfo=UTC)
LOCAL_OFFSET_HOURS = 2.0  # Damascus, as the generator counts local days

# Places: name variants, latitude, longitude, weight.
TOWNS: tuple[tuple[tuple[str, ...], float, float, float], ...] = (
    (("Jobar", "Joubar", "Jawbar"), 33.5326, 36.3322, 5),
    (("Douma", "Duma"), 33.5711, 36.4014, 5),
    (("Harasta", "Harasta al-Basal"), 33.5583, 36.3650, 3),
    (("Darayya", "Daraya", "Dariya"), 33.4586, 36.2356, 3),
    (("Aleppo", "Halab"), 36.2021, 37.1343, 8),
    (("Idlib", "Idleb"), 35.9306, 36.6339, 5),
    (("Saraqib", "Saraqeb"), 35.8622, 36.8006, 3),
    (("Maarat al-Numan", "Ma'arrat al-Nu'man", "Maarrat an Numan"), 35.6481, 36.6725, 3),
    (("Homs", "Hims"), 34.7324, 36.7137, 5),
    (("Talbiseh", "Talbisah"), 34.8403, 36.7306, 2),
    (("Rastan", "Al-Rastan"), 34.9264, 36.7325, 2),
    (("Hama", "Hamah"), 35.1318, 36.7578, 4),
    (("Latamneh", "Al-Lataminah"), 35.3200, 36.6214, 2),
    (("Daraa", "Deraa", "Dar'a"), 32.6189, 36.1021, 4),
    (("Nawa", "Nawa city"), 32.8889, 36.0431, 2),
    (("Deir ez-Zor", "Deir al-Zour", "Dayr az Zawr"), 35.3359, 40.1408, 4),
    (("Raqqa", "Ar-Raqqah", "Rakka"), 35.9528, 39.0079, 4),
    (("Manbij", "Menbij"), 36.5281, 37.9549, 3),
    (("Azaz", "A'zaz"), 36.5866, 37.0464, 2),
    (("Jisr al-Shughur", "Jisr ash-Shughur"), 35.8128, 36.3178, 2),
    (("Palmyra", "Tadmur"), 34.5503, 38.2684, 2),
    (("Qamishli", "Al-Qamishli"), 37.0522, 41.2272, 2),
    (("Hasakah", "Al-Hasakah"), 36.5000, 40.7500, 2),
    (("Khan Shaykhun", "Khan Sheikhoun"), 35.4417, 36.6508, 2),
    (("Zabadani", "Az-Zabadani"), 33.7247, 36.0969, 2),
    (("Madaya", "Madaya town"), 33.6886, 36.0997, 2),
    (("Latakia", "Lattakia"), 35.5236, 35.7917, 2),
    (("Kafr Nabl", "Kafranbel"), 35.6136, 36.5611, 2),
    (("Tal Rifaat", "Tell Rifaat"), 36.4719, 37.0972, 2),
    (("Quneitra", "Al-Qunaytirah"), 33.1256, 35.8244, 1),
)
# Parties: name variants, side.
PARTIES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Syrian Arab Army", "Syrian army", "SAA"), "government"),
    (("Russian Aerospace Forces", "Russian air force", "VKS"), "government"),
    (("Hayat Tahrir al-Sham", "Hay'at Tahrir al-Sham", "HTS"), "opposition"),
    (("Jaysh al-Islam", "Jaish al-Islam", "Jaish al Islam"), "opposition"),
    (("Free Syrian Army", "FSA", "Free Syrian army"), "opposition"),
    (("Syrian Democratic Forces", "SDF", "Quwat Suriya al-Dimuqratiya"), "sdf"),
    (("Islamic State", "ISIS", "Daesh"), "isis"),
    (("Turkish Armed Forces", "Turkish army", "TSK"), "turkey"),
)
CATEGORIES = (
    "shelling",
    "air_strike",
    "armed_attack",
    "sniper_fire",
    "attack_on_civilians",
    "ied",
    "rocket_fire",
)
CATEGORY_WEIGHTS = (0.3, 0.25, 0.15, 0.08, 0.1, 0.05, 0.07)
SAME_GROUP = {
    "shelling": "rocket_fire",
    "rocket_fire": "shelling",
    "air_strike": "shelling",
    "armed_attack": "ground_offensive",
    "sniper_fire": "armed_attack",
    "attack_on_civilians": "attack_on_medical_facility",
    "ied": "suicide_bombing",
}
TIME_PRECISIONS = ("exact", "day", "week", "month")
LOCATION_PRECISIONS = (
    LocationPrecision.EXACT_POINT.value,
    LocationPrecision.TOWN.value,
    LocationPrecision.DISTRICT.value,
    LocationPrecision.GOVERNORATE.value,
)
VERBS = {
    "shelling": ("shelling on", "artillery shells fell on", "mortar fire hit"),
    "air_strike": ("air strike on", "warplanes bombed", "airstrike hit"),
    "armed_attack": ("clashes in", "armed attack near", "fighters attacked positions in"),
    "sniper_fire": ("sniper fire in", "a sniper shot at residents of", "sniping near"),
    "attack_on_civilians": ("civilians attacked in", "attack on a market in", "residents targeted in"),
    "ied": ("explosive device went off in", "IED blast in", "roadside bomb near"),
    "rocket_fire": ("rockets fired at", "rocket attack on", "Grad rockets hit"),
}


@dataclass
class Synthetic:
    """Reports with their true incident (`truth`), as arrays."""

    seed: int
    truth: NDArray[np.int64]
    t_observed: NDArray[np.float64]  # hours since the epoch (the instant each report gives)
    t_center: NDArray[np.float64]
    t_half: NDArray[np.float64]
    time_precision: NDArray[np.int8]  # index into TIME_PRECISIONS
    latitude: NDArray[np.float64]
    longitude: NDArray[np.float64]
    location_precision: NDArray[np.int8]  # index into LOCATION_PRECISIONS
    category: NDArray[np.int16]  # rules.CATEGORY_CODES
    perpetrator: NDArray[np.int32]  # party index; -1 not named; below -1: a name not resolved
    target: NDArray[np.int32]
    source_side: NDArray[np.int8]  # 0 the victim's side, 1 the accused side (counter-accuses), 2 monitor
    town: NDArray[np.int16]
    town_variant: NDArray[np.int8]
    killed: NDArray[np.int32]
    text: list[str]

    def __len__(self) -> int:
        return len(self.truth)

    def items(self) -> Items:
        """The reports as the batch correlator takes them."""
        radius = np.asarray([rules.RADIUS_KM[p] for p in LOCATION_PRECISIONS])[self.location_precision]
        return Items(
            t_center=self.t_center,
            t_half=self.t_half,
            latitude=self.latitude,
            longitude=self.longitude,
            radius_km=radius,
            category=self.category,
            perpetrator=self.perpetrator,
            target=self.target,
            text=self.text,
        )

    def claim(self, i: int) -> dict[str, Any]:
        """Report i as a claim (ReportSubmission fields), for tests through the intake service."""
        categories = list(rules.CATEGORY_CODES)
        return {
            "source_name": ("Local council", "Accused side media", "Monitoring group")[
                int(self.source_side[i])
            ],
            "occurred_at": (
                START + timedelta(hours=float(self.t_observed[i]) - rules.hours(START))
            ).isoformat(),
            "time_precision": TIME_PRECISIONS[int(self.time_precision[i])],
            "latitude": round(float(self.latitude[i]), 6),
            "longitude": round(float(self.longitude[i]), 6),
            "location_precision": LOCATION_PRECISIONS[int(self.location_precision[i])],
            "location_text": TOWNS[int(self.town[i])][0][int(self.town_variant[i])],
            "act_category": categories[int(self.category[i])],
            "perpetrator_text": _party_text(int(self.perpetrator[i])),
            "target_text": _party_text(int(self.target[i])),
            "killed_min": int(self.killed[i]),
            "killed_max": int(self.killed[i]),
            "event_type": None,
            "sub_event_type": None,
            "narrative": self.text[i],
        }


def _party_text(code: int) -> str | None:
    if code == -1:
        return None
    if code >= 0:
        return PARTIES[code][0][0]
    unresolved = -2 - code
    names = PARTIES[unresolved % len(PARTIES)][0]
    return names[1 + unresolved // len(PARTIES) % (len(names) - 1)]


def _windows(
    observed: NDArray[np.float64], precision: NDArray[np.int8]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The window each precision stands for, in local days (as intake computes it)."""
    local = observed + LOCAL_OFFSET_HOURS
    day = np.floor(local / 24.0)
    start = np.where(precision == 0, local, day * 24.0)
    end = np.where(precision == 0, local, (day + 1) * 24.0)
    week = day - ((day + 3) % 7)  # Monday-based (1970-01-01 was a Thursday)
    start = np.where(precision == 2, week * 24.0, start)
    end = np.where(precision == 2, (week + 7) * 24.0, end)
    months = day.astype("datetime64[D]").astype("datetime64[M]")
    month_start = months.astype("datetime64[D]").astype(np.int64).astype(np.float64)
    month_end = (months + 1).astype("datetime64[D]").astype(np.int64).astype(np.float64)
    start = np.where(precision == 3, month_start * 24.0, start)
    end = np.where(precision == 3, month_end * 24.0, end)
    start, end = start - LOCAL_OFFSET_HOURS, end - LOCAL_OFFSET_HOURS
    return (start + end) / 2, (end - start) / 2


def generate(
    n_reports: int, *, seed: int = DEFAULT_SEED, days: int = 2922, close_share: float = 0.08
) -> Synthetic:
    """About n_reports reports (exactly n_reports) of incidents over `days` days from 27 February 2016."""
    rng = np.random.default_rng(seed)
    n_incidents = max(1, int(n_reports / 3.2))
    weights = np.asarray([t[3] for t in TOWNS], dtype=np.float64)
    town = rng.choice(len(TOWNS), size=n_incidents, p=weights / weights.sum()).astype(np.int16)
    lat0 = np.asarray([t[1] for t in TOWNS])[town] + rng.normal(0, 0.03, n_incidents)
    lon0 = np.asarray([t[2] for t in TOWNS])[town] + rng.normal(0, 0.03, n_incidents)
    t0 = rules.hours(START) + rng.uniform(0, days * 24.0, n_incidents)
    # Some incidents are placed close to another one (same town, hours apart): separate events.
    close = rng.random(n_incidents) < close_share
    other = rng.integers(0, n_incidents, n_incidents)
    town = np.where(close, town[other], town)
    lat0 = np.where(close, lat0[other] + rng.normal(0, 0.01, n_incidents), lat0)
    lon0 = np.where(close, lon0[other] + rng.normal(0, 0.01, n_incidents), lon0)
    shift = rng.uniform(6, 36, n_incidents) * rng.choice((-1, 1), n_incidents)
    t0 = np.where(close, t0[other] + shift, t0)
    category_names = rng.choice(len(CATEGORIES), size=n_incidents, p=CATEGORY_WEIGHTS)
    sides = np.asarray([p[1] for p in PARTIES])
    perp = rng.integers(0, len(PARTIES), n_incidents)
    target = rng.integers(0, len(PARTIES), n_incidents)
    clash = sides[perp] == sides[target]
    while clash.any():
        target[clash] = rng.integers(0, len(PARTIES), int(clash.sum()))
        clash = sides[perp] == sides[target]
    counts = 1 + rng.poisson(2.2, n_incidents)
    truth = np.repeat(np.arange(n_incidents), counts)[:n_reports]
    while len(truth) < n_reports:  # top up (rare, for tiny n)
        truth = np.concatenate([truth, np.arange(n_incidents)])[:n_reports]
    n = len(truth)
    role = rng.choice(3, size=n, p=(0.5, 0.2, 0.3)).astype(np.int8)
    time_precision = rng.choice(4, size=n, p=(0.35, 0.5, 0.12, 0.03)).astype(np.int8)
    observed = t0[truth] + np.where(time_precision == 0, rng.normal(0, 1.0, n), rng.normal(0, 3.0, n))
    t_center, t_half = _windows(observed, time_precision)
    location_precision = rng.choice(4, size=n, p=(0.3, 0.5, 0.15, 0.05)).astype(np.int8)
    noise_km = np.asarray([0.5, 0.0, 8.0, 25.0])[location_precision]
    towns_lat = np.asarray([t[1] for t in TOWNS])
    towns_lon = np.asarray([t[2] for t in TOWNS])
    base_lat = np.where(location_precision == 1, towns_lat[town[truth]], lat0[truth])
    base_lon = np.where(location_precision == 1, towns_lon[town[truth]], lon0[truth])
    lat = base_lat + rng.normal(0, 1, n) * noise_km / 111.0
    lon = base_lon + rng.normal(0, 1, n) * noise_km / 91.0
    true_category = np.asarray(CATEGORIES)[category_names[truth]]
    variant = rng.random(n)
    names = np.where(
        variant < 0.85,
        true_category,
        np.where(variant < 0.95, np.vectorize(SAME_GROUP.get)(true_category), "other"),
    )
    category = np.asarray([rules.CATEGORY_CODES[c] for c in names.tolist()], dtype=np.int16)
    p, t = perp[truth], target[truth]
    swapped = role == 1
    rep_perp = np.where(swapped, t, p).astype(np.int32)
    rep_target = np.where(swapped, p, t).astype(np.int32)
    # Parties as named: mostly resolved, some not named, some in a spelling the registry lacks.
    for column in (rep_perp, rep_target):
        draw = rng.random(n)
        column[draw < 0.08] = -1
        unresolved = (draw >= 0.08) & (draw < 0.12)
        column[unresolved] = (
            -2 - column[unresolved] - len(PARTIES) * rng.integers(0, 2, int(unresolved.sum()))
        )
    monitor_silent = (role == 2) & (rng.random(n) < 0.3)
    rep_perp[monitor_silent] = -1
    town_of = town[truth]
    variants = np.asarray([len(TOWNS[i][0]) for i in range(len(TOWNS))])[town_of]
    town_variant = (rng.integers(0, 6, n) % variants).astype(np.int8)
    true_killed = rng.poisson(3, n_incidents)
    killed = np.maximum(0, true_killed[truth] + rng.integers(-2, 4, n)).astype(np.int32)
    verb_pick = rng.integers(0, 3, n)
    text = [
        f"{VERBS.get(c, ('attack in',))[v % len(VERBS.get(c, ('x',)))]} {TOWNS[tw][0][tv]}, {k} killed"
        for c, v, tw, tv, k in zip(
            true_category.tolist(),
            verb_pick.tolist(),
            town_of.tolist(),
            town_variant.tolist(),
            killed.tolist(),
            strict=True,
        )
    ]
    return Synthetic(
        seed=seed,
        truth=truth.astype(np.int64),
        t_observed=observed,
        t_center=t_center,
        t_half=t_half,
        time_precision=time_precision,
        latitude=lat,
        longitude=lon,
        location_precision=location_precision,
        category=category,
        perpetrator=rep_perp,
        target=rep_target,
        source_side=role,
        town=town_of,
        town_variant=town_variant,
        killed=killed,
        text=text,
    )
