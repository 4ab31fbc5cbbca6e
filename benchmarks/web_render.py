"""Server-side render time of the busiest pages with 100,000 incidents, in PostgreSQL and in SQLite.

For each dialect: a fresh database (a new PostgreSQL database on the server; an SQLite file), migrated,
with the gazetteer and the 2016 replay loaded (real parties, places, agreements and areas), then a
synthetic but realistic workload bulk-inserted with core INSERTs in batches (seeded, so every run
has the same data): 100,000 incidents over Syria's towns in 2016 (clustered around the places that
saw the most fighting), each grouping 1-3 reports (with their messages: different channels,
sources, perpetrators, acts, time and location precisions, casualty ranges), a stage history row,
a mix of stages, grades and publication levels; 5% more reports not yet grouped (the inbox's work).

Then, in-process through the ASGI app (TestClient: no network, no server), signed in as an analyst
with the web session cookie, each case is requested WARMUP times and then REQUESTS times, and the
wall-clock time of every request is kept: median and p95 per case. Goal: p95 under 150 ms.

Cases: the inbox (`/desk`, first page of reports), the incident page (`/desk/incidents/{id}`, a
different incident each time, every one visited once during warm-up so its derived cache is current),
the map's data route (`/api/v1/map/incidents`: the whole country at zoom 7, a city at zoom 11, and
the country filtered by grade and time) and the map page (`/map`, with its table).

Run: python -m benchmarks.web_render [--incidents N] [--requests N] [--dialect sqlite|postgresql|both]
     [--server postgresql://postgres@127.0.0.1]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select

from benchmarks.harness import render_table, write_results
from benchmarks.intake import fresh_database
from ceasefire.app import create_app
from ceasefire.db.engine import create_engine_for, session_factory, transaction
from ceasefire.identity import service as identity
from ceasefire.identity.crypto import generate_key
from ceasefire.identity.schemas import UserCreate
from ceasefire.incidents.models import Incident, IncidentReport, StageChange
from ceasefire.intake.models import Message, Report
from ceasefire.interchange.replay import load_replay
from ceasefire.kernel.actor import SYSTEM
from ceasefire.kernel.ids import new_id
from ceasefire.migrations.runner import upgrade
from ceasefire.parties.models import Party
from ceasefire.places.models import Place
from ceasefire.settings import Settings

GOAL_P95_MS = 150.0
BATCH = 5000
PASSWORD = "bench web pass"
WARMUP = 5
START = datetime(2016, 2, 26, 22, 0, tzinfo=UTC)  # 2016-02-27 00:00 Damascus
DAYS = 300
CHANNELS = ["hotline", "api", "web_form", "email", "sms", "observation_post", "news_article"]
ACTS = [
    ("shelling", "explosions_remote_violence", "shelling_artillery_missile_attack"),
    ("air_strike", "explosions_remote_violence", "air_drone_strike"),
    ("armed_attack", "battles", "armed_clash"),
    ("sniper_fire", "violence_against_civilians", "attack"),
    ("attack_on_medical_facility", "explosions_remote_violence", "shelling_artillery_missile_attack"),
    ("ground_offensive", "battles", "government_regains_territory"),
    ("abduction", "violence_against_civilians", "abduction_forced_disappearance"),
]
STANCES = ["asserts", "asserts", "asserts", "denies", "counter_accuses", "confirms"]
STAGES = ["new", "triage", "verification", "determination", "liaison", "closed", "dismissed"]
GRADES = [
    "unverified",
    "single_source",
    "single_source",
    "corroborated",
    "confirmed",
    "contested",
    "discounted",
]
PUBLICATIONS = ["internal"] * 6 + ["parties"] * 3 + ["public"]
HOTSPOTS = ["Aleppo", "Damascus", "Homs", "Idlib", "Hama", "Daraa", "Douma", "Jobar", "Deir ez-Zor", "Raqqa"]


@dataclass(frozen=True)
class Registry:
    """What the synthetic records point at: the replay's parties and places."""

    parties: list[str]
    places: list[tuple[str, float, float]]
    weights: list[float]
    user_id: str


def registry(engine: Engine) -> Registry:
    """Load the replay, create the benchmark's analyst, and read the ids the generator needs."""
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        load_replay(session, actor=SYSTEM)
    with transaction(sessions) as session:
        user = identity.create_user(
            session,
            data=UserCreate(
                username="bench-analyst", display_name="Bench analyst", role="analyst", password=PASSWORD
            ),
            actor=SYSTEM,
        )
        user_id = user.id
        parties = list(session.scalars(select(Party.id).order_by(Party.id)))
        rows = session.execute(
            select(Place.id, Place.name, Place.latitude, Place.longitude, Place.population)
            .where(Place.kind.not_in(["governorate", "district", "subdistrict", "country"]))
            .order_by(Place.id)
        ).all()
    places = [(r[0], float(r[2]), float(r[3])) for r in rows]
    # Fighting concentrates in a few places: weight hotspots and large towns.
    weights = [(40.0 if r[1] in HOTSPOTS else 1.0) * (1 + min(r[4] or 0, 2_000_000) / 200_000) for r in rows]
    return Registry(parties=parties, places=places, weights=weights, user_id=user_id)


def _rows(
    rng: random.Random, reg: Registry, n: int, counter: list[int], want: int
) -> dict[str, list[dict[str, Any]]]:
    now = datetime.now(UTC)
    made = now - timedelta(days=1)
    out: dict[str, list[dict[str, Any]]] = {
        "message": [],
        "report": [],
        "incident": [],
        "link": [],
        "stage": [],
    }
    chosen = rng.choices(reg.places, weights=reg.weights, k=n)
    for place_id, lat, lon in chosen:
        if len(out["incident"]) >= want:
            break
        counter[0] += 1
        lat += rng.gauss(0, 0.03)
        lon += rng.gauss(0, 0.03)
        day = START + timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(24 * 60))
        act, event, sub = rng.choice(ACTS)
        perpetrator = rng.choice(reg.parties) if rng.random() < 0.8 else None
        killed = rng.choice([None, 0, 1, 2, 3, 5, 8, 12]) if rng.random() < 0.7 else None
        incident_id = new_id()
        linked = counter[0] % 20 != 0  # one report in twenty is not grouped yet
        reports = rng.choice([1, 1, 1, 2, 2, 3]) if linked else 1
        for k in range(reports):
            message_id, report_id = new_id(), new_id()
            precision = rng.choice(["exact", "exact", "day", "day", "week"])
            start = day if precision == "exact" else day.replace(hour=0, minute=0)
            length = {"exact": timedelta(0), "day": timedelta(days=1), "week": timedelta(days=7)}[precision]
            source = rng.choice(reg.parties)
            out["message"].append(
                {
                    "id": message_id,
                    "reference_code": f"BN{counter[0]:09d}{k}",
                    "channel": rng.choice(CHANNELS),
                    "received_at": day + timedelta(hours=rng.randrange(1, 48)),
                    "submitter_party_id": source if rng.random() < 0.5 else None,
                    "submitter_key": "bench",
                    "language": "en",
                    "subject": f"{act.replace('_', ' ')} reported",
                    "body": f"Report {counter[0]}-{k}: {act.replace('_', ' ')} near the town.",
                    "payload": {},
                    "created_at": made,
                }
            )
            out["report"].append(
                {
                    "id": report_id,
                    "lineage_id": report_id,
                    "version": 1,
                    "message_id": message_id,
                    "created_by_user_id": reg.user_id,
                    "source_party_id": source,
                    "source_name": "Bench source",
                    "stance": rng.choice(STANCES),
                    "occurred_at": day,
                    "time_precision": precision,
                    "occurred_start": start,
                    "occurred_end": start + length,
                    "place_id": place_id,
                    "location_text": None,
                    "latitude": lat if rng.random() < 0.5 else None,
                    "longitude": lon if rng.random() < 0.5 else None,
                    "location_precision": "exact_point" if k == 0 else "town",
                    "act_category": act,
                    "event_type": event,
                    "sub_event_type": sub,
                    "perpetrator_party_id": perpetrator,
                    "target_party_id": rng.choice(reg.parties) if rng.random() < 0.3 else None,
                    "killed_min": killed,
                    "killed_max": None if killed is None else killed + rng.choice([0, 0, 1, 3]),
                    "narrative": "Witnesses describe the attack; the figures are the source's own.",
                    "created_at": made,
                }
            )
            if linked:
                out["link"].append(
                    {
                        "incident_id": incident_id,
                        "report_lineage_id": report_id,
                        "linked_by": "bench",
                        "created_at": made,
                    }
                )
        if not linked:
            continue
        stage = rng.choice(STAGES)
        out["incident"].append(
            {
                "id": incident_id,
                "title": f"{act.replace('_', ' ').capitalize()} #{counter[0]}",
                "stage": stage,
                "publication": rng.choice(PUBLICATIONS),
                "created_by_user_id": reg.user_id,
                "window_start": day,
                "window_end": day + timedelta(days=1),
                "latitude": lat,
                "longitude": lon,
                "location_precision": "town",
                "killed_min": killed,
                "killed_max": killed,
                "grade": rng.choice(GRADES),
                "derived": {},
                "derived_at": now,
                "created_at": made,
            }
        )
        out["stage"].append(
            {"incident_id": incident_id, "from_stage": None, "to_stage": "new", "at": made, "actor": "bench"}
        )
        if stage != "new":
            out["stage"].append(
                {
                    "incident_id": incident_id,
                    "from_stage": "new",
                    "to_stage": stage,
                    "at": now,
                    "actor": "bench",
                }
            )
    return out


def generate(engine: Engine, reg: Registry, incidents: int, *, seed: int = 2016) -> float:
    """Bulk-insert the synthetic workload (seeded); how long it took."""
    rng = random.Random(seed)
    began = time.perf_counter()
    counter = [0]
    tables = [
        ("message", Message),
        ("report", Report),
        ("incident", Incident),
        ("link", IncidentReport),
        ("stage", StageChange),
    ]
    made = 0
    with engine.begin() as conn:
        while made < incidents:
            rows = _rows(rng, reg, BATCH, counter, incidents - made)
            for key, model in tables:
                if rows[key]:
                    conn.execute(insert(model), rows[key])
            made += len(rows["incident"])
    # PostgreSQL's autovacuum would analyse the new rows soon after; do it now. SQLite is left as the
    # application leaves it (it never runs ANALYZE).
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - began


def signed_in(app: Any) -> TestClient:
    """A browser-like client signed in as the benchmark's analyst."""
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on /login"
    form = {"username": "bench-analyst", "password": PASSWORD, "csrf_token": token.group(1), "next": "/"}
    response = client.post("/login", data=form)
    assert response.status_code == 303, response.text[:300]
    return client


@dataclass
class Case:
    """One page or route, timed."""

    name: str
    urls: Callable[[int], str]


def time_case(client: TestClient, case: Case, requests: int) -> dict[str, Any]:
    """Warm up, then time `requests` requests; median and p95 in milliseconds."""
    for i in range(WARMUP):
        response = client.get(case.urls(i))
        assert response.status_code == 200, (case.name, response.status_code, response.text[:500])
    times: list[float] = []
    for i in range(requests):
        url = case.urls(WARMUP + i)
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (case.name, url, response.status_code, response.text[:300])
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "case": case.name,
        "requests": requests,
        "median_ms": statistics.median(times),
        "p95_ms": p95,
        "max_ms": times[-1],
        "goal_p95_ms": GOAL_P95_MS,
        "meets_goal": p95 < GOAL_P95_MS,
    }


def cases(engine: Engine, client: TestClient, requests: int) -> list[Case]:
    """The pages and routes to time (incident pages: a different incident per request, all warmed)."""
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Incident.id).order_by(Incident.id).limit(20_000)))
    rng = random.Random(7)
    sample = rng.sample(ids, WARMUP + requests)
    for incident_id in sample:  # each incident's derived cache made current, as a live desk would have it
        client.get(f"/desk/incidents/{incident_id}")
    found = []
    # The desk's pages are written by another part of issue 4: time them when they are served.
    if client.get("/desk").status_code == 200:
        found.append(Case("inbox /desk", lambda i: "/desk"))
    if client.get(f"/desk/incidents/{sample[0]}").status_code == 200:
        found.append(Case("incident page /desk/incidents/{id}", lambda i: f"/desk/incidents/{sample[i]}"))
    found += [
        Case("map data, country, zoom 7", lambda i: "/api/v1/map/incidents?zoom=7&bbox=34.5,31.5,43.5,38"),
        Case(
            "map data, Aleppo, zoom 11", lambda i: "/api/v1/map/incidents?zoom=11&bbox=36.9,36.05,37.4,36.35"
        ),
        Case(
            "map data, country, grade + 3 months",
            lambda i: (
                "/api/v1/map/incidents?zoom=7&bbox=34.5,31.5,43.5,38&grade=contested&from=2016-05-01&to=2016-07-31"
            ),
        ),
        Case("map page /map", lambda i: "/map"),
    ]
    return found


@contextmanager
def database(dialect: str, server: str) -> Iterator[Engine]:
    """A fresh, migrated database of the dialect."""
    if dialect == "postgresql":
        with fresh_database(server) as url:
            engine = create_engine_for(url)
            try:
                upgrade(engine)
                yield engine
            finally:
                engine.dispose()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            engine = create_engine_for(f"sqlite:///{Path(tmp) / 'bench.db'}")
            try:
                upgrade(engine)
                yield engine
            finally:
                engine.dispose()


def run_dialect(dialect: str, args: argparse.Namespace) -> dict[str, Any]:
    """Build the data in one dialect and time every case."""
    with database(dialect, args.server) as engine, tempfile.TemporaryDirectory() as data_dir:
        began = time.perf_counter()
        reg = registry(engine)
        replay_seconds = time.perf_counter() - began
        insert_seconds = generate(engine, reg, args.incidents)
        with engine.connect() as conn:
            counts = {
                "incidents": int(conn.scalar(select(func.count()).select_from(Incident)) or 0),
                "reports": int(conn.scalar(select(func.count()).select_from(Report)) or 0),
            }
        print(f"[{dialect}] replay {replay_seconds:.1f}s, insert {insert_seconds:.1f}s: {counts}", flush=True)
        settings = Settings(
            data_dir=Path(data_dir),
            encryption_keys=[generate_key()],
            login_rate_limit="100000/minute",
            public_report_rate_limit="100000/minute",
            _env_file=None,
        )
        # The pages are served by a new engine on the loaded database, as `ceasefire serve` starting on
        # it would be (on SQLite its first connection gathers the planner's statistics).
        served = create_engine_for(engine.url.render_as_string(hide_password=False))
        app = create_app(settings, engine=served)
        with signed_in(app) as client:
            results = []
            for case in cases(engine, client, args.requests):
                result = time_case(client, case, args.requests)
                print(
                    f"[{dialect}] {case.name}: "
                    f"median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms",
                    flush=True,
                )
                results.append(result)
        served.dispose()
        return {
            "dialect": dialect,
            # The machine's 1-minute load average when the timings ended (other work inflates them).
            "load_average": os.getloadavg()[0],
            "data": counts,
            "replay_seconds": replay_seconds,
            "insert_seconds": insert_seconds,
            "cases": results,
        }


def main() -> None:
    """Run the benchmark and write results/web_render.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--dialect", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1")
    args = parser.parse_args()
    dialects = ["postgresql", "sqlite"] if args.dialect == "both" else [args.dialect]
    runs = [run_dialect(d, args) for d in dialects]
    rows = [
        (
            run["dialect"],
            c["case"],
            f"{c['median_ms']:.1f}",
            f"{c['p95_ms']:.1f}",
            f"{c['max_ms']:.1f}",
            "yes" if c["meets_goal"] else "**no**",
        )
        for run in runs
        for c in run["cases"]
    ]
    header = ("dialect", "case", "median ms", "p95 ms", "max ms", f"p95 < {GOAL_P95_MS:.0f} ms")
    data = ", ".join(
        f"{r['dialect']}: {r['data']['incidents']:,} incidents, {r['data']['reports']:,} reports"
        for r in runs
    )
    markdown = render_table(f"Server-side render time, signed in as an analyst ({data})", rows, header)
    loads = ", ".join(f"{r['dialect']} {r['load_average']:.1f}" for r in runs)
    markdown += f"\nLoad average of the machine (1 minute) when each dialect's timings ended: {loads}.\n"
    print(markdown)
    write_results(
        "web_render",
        {"goal_p95_ms": GOAL_P95_MS, "requests_per_case": args.requests, "runs": runs},
        markdown,
        setting="one process, in-process ASGI (TestClient), sequential requests",
    )


if __name__ == "__main__":
    main()
