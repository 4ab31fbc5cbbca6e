"""Intake throughput: structured reports POSTed to `ceasefire serve` on loopback, against PostgreSQL.

Creates a fresh PostgreSQL database, migrates it, loads the gazetteer and the 2016 replay (so party
and place names resolve against a real registry), creates a user and an API token, and starts
`ceasefire serve` with the server's default worker count on a free port. Then, from a bounded number
of concurrent clients (asyncio tasks sharing one httpx2 client), it POSTs distinct reports, each
with an idempotency key, some with contact details to encrypt, for a bounded time; it reports
reports/s, p50 and p99 latency, and proves from the database that every acknowledged (201) report
is stored. Baselines in the same run: the same load from one client, and GET /api/v1/me from the
same number of clients (an authenticated request doing no intake work: the framework's ceiling).
The server's CPU time per request (from /proc) shows where the worker's time goes.

Run: python -m benchmarks.intake [--clients N] [--seconds S] [--server postgresql://postgres@127.0.0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import Engine, text

from benchmarks.harness import fresh_postgres, render_table, write_results
from ceasefire.db.engine import create_engine_for, session_factory, transaction
from ceasefire.identity import service as identity
from ceasefire.identity.crypto import generate_key
from ceasefire.identity.schemas import TokenCreate, UserCreate
from ceasefire.interchange.replay import load_replay
from ceasefire.kernel.actor import SYSTEM
from ceasefire.migrations.runner import upgrade
from ceasefire.settings import Settings

GOALS = {"reports_per_second": 300.0, "p99_ms": 250.0, "lost": 0}
SERVE = [str(Path(sys.executable).with_name("ceasefire")), "serve"]

# Names as reporters write them: registered aliases, spellings, and names that resolve to nothing.
PERPETRATORS = [
    "Syrian Arab Army",
    "regime forces",
    "Jabhat al-Nusra",
    "Nusra Front",
    "ISIS",
    "Daesh",
    "Russian Aerospace Forces",
    "Jaysh al-Islam",
    "Ahrar al-Sham",
    "unknown gunmen",
    "armed opposition groups",
]
PLACES = ["Jobar", "Douma", "Darayya", "Aleppo", "Homs", "Idlib", "Hama", "Al-Waer", "Latakia", "Harasta"]
ACTS = [
    ("shelling", "explosions_remote_violence", "shelling_artillery_missile_attack"),
    ("air_strike", "explosions_remote_violence", "air_drone_strike"),
    ("armed_attack", "battles", "armed_clash"),
    ("sniper_fire", "violence_against_civilians", "attack"),
]


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(engine: Engine) -> str:
    """Migrate, load the registry, and return a fresh API token of an observer."""
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        load_replay(session, actor=SYSTEM)
    with transaction(sessions) as session:
        user = identity.create_user(
            session,
            data=UserCreate(
                username="bench", display_name="Benchmark", role="observer", password="bench pass"
            ),
            actor=SYSTEM,
        )
        return identity.issue_token(session, user=user, data=TokenCreate(name="bench"), actor=SYSTEM).token


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants so far, from /proc (0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except (OSError, ValueError, IndexError):
        return 0.0
    return own + sum(cpu_seconds(child) for child in children)


@dataclass
class Server:
    """A running `ceasefire serve`."""

    base: str
    pid: int


@contextmanager
def server(database_url: str, data_dir: Path, workers: int | None = None) -> Iterator[Server]:
    """`ceasefire serve` on a free loopback port, with the default worker count unless told otherwise."""
    port = free_port()
    env = {
        **os.environ,
        "CEASEFIRE_DATABASE_URL": database_url,
        "CEASEFIRE_DATA_DIR": str(data_dir),
        "CEASEFIRE_ENCRYPTION_KEYS": f'["{generate_key()}"]',
        "CEASEFIRE_LOG_LEVEL": "warning",
    }
    env.pop("CEASEFIRE_WORKERS", None)  # the server's default worker count ...
    if workers is not None:
        env["CEASEFIRE_WORKERS"] = str(workers)  # ... unless exploring another
    process = subprocess.Popen([*SERVE, "--host", "127.0.0.1", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def report_payload(rng: random.Random) -> dict[str, Any]:
    """A distinct, valid report as a field office would send it."""
    act, event, sub = rng.choice(ACTS)
    killed = rng.randrange(0, 12)
    payload: dict[str, Any] = {
        "source_name": "Benchmark field office",
        "occurred_at": f"2016-03-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}"
        "+02:00",
        "time_precision": rng.choice(["exact", "day"]),
        "location_text": rng.choice(PLACES),
        "act_category": act,
        "event_type": event,
        "sub_event_type": sub,
        "perpetrator_text": rng.choice(PERPETRATORS),
        "killed_min": killed,
        "killed_max": killed + rng.randrange(0, 4),
        "narrative": f"Report {uuid.uuid4()}: {act.replace('_', ' ')} reported by residents.",
        "body": "Entered from a field office log.",
    }
    if rng.random() < 0.3:
        payload["contact"] = f"+963 9{rng.randrange(10**7, 10**8)}"
    return payload


@dataclass
class Run:
    """One load case: latencies of the successful requests, and what was acknowledged."""

    case: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU time per successful request."""
        return self.server_cpu / len(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def client_cpu_ms(self) -> float:
        """The load generator's own CPU time per successful request (it shares the machine)."""
        return self.client_cpu / len(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def as_dict(self) -> dict[str, object]:
        return {
            "case": self.case,
            "clients": self.clients,
            "requests": len(self.latencies),
            "seconds": self.seconds,
            "per_second": self.per_second,
            "p50_ms": self.percentile(0.50),
            "p99_ms": self.percentile(0.99),
            "server_cpu_ms_per_request": self.cpu_ms,
            "client_cpu_ms_per_request": self.client_cpu_ms,
            "failures": self.failures,
        }


Request = Callable[[httpx2.AsyncClient, random.Random], Any]


async def load(base: str, token: str, run: Run, *, seconds: float, request: Request, seed: int) -> Run:
    """`run.clients` tasks issue requests back to back for `seconds`; latencies of the good ones kept."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx2.Limits(max_connections=run.clients, max_keepalive_connections=run.clients)
    async with httpx2.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        stop = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    response = await request(client, rng)
                except httpx2.HTTPError as exc:
                    run.failures[type(exc).__name__] = run.failures.get(type(exc).__name__, 0) + 1
                    continue
                elapsed = time.perf_counter() - started
                if response.status_code in (200, 201):
                    run.latencies.append(elapsed)
                    if response.status_code == 201 and "id" in response.json():
                        run.acknowledged.append(response.json()["id"])
                else:
                    key = f"HTTP {response.status_code}"
                    run.failures[key] = run.failures.get(key, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(run.clients)))
        run.seconds = time.perf_counter() - began
    return run


async def post_report(client: httpx2.AsyncClient, rng: random.Random) -> httpx2.Response:
    key = {"Idempotency-Key": str(uuid.UUID(int=rng.getrandbits(128)))}
    return await client.post("/api/v1/reports", json=report_payload(rng), headers=key)


async def get_me(client: httpx2.AsyncClient, rng: random.Random) -> httpx2.Response:
    return await client.get("/api/v1/me")


def report_rows(engine: Engine) -> int:
    """How many report rows the database holds."""
    with engine.connect() as conn:
        count: int = conn.execute(text("SELECT count(*) FROM report")).scalar_one()
        return count


def stored_count(engine: Engine, ids: list[str]) -> int:
    """How many of these report ids are in the database."""
    found = 0
    with engine.connect() as conn:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            found += conn.execute(
                text("SELECT count(*) FROM report WHERE id = ANY(:ids)"), {"ids": chunk}
            ).scalar_one()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients of the main case")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of the main case")
    parser.add_argument("--baseline-seconds", type=float, default=10.0, help="duration of each baseline")
    parser.add_argument(
        "--server", default="postgresql://postgres@127.0.0.1/postgres", help="PostgreSQL server"
    )
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server workers (default: the server's own default; results then go to intake_workers_N)",
    )
    args = parser.parse_args()
    default_workers = Settings.model_fields["workers"].default
    workers = args.workers or default_workers
    load_before = os.getloadavg()[0]

    with fresh_postgres(args.server, "intake") as url, tempfile.TemporaryDirectory() as tmp:
        engine = create_engine_for(url)
        token = prepare(engine)
        before = report_rows(engine)  # the replay's own reports
        with server(url, Path(tmp), args.workers) as served:

            def run(case: str, clients: int, seconds: float, request: Request, seed: int) -> Run:
                server_before, client_before = cpu_seconds(served.pid), time.process_time()
                done = asyncio.run(
                    load(served.base, token, Run(case, clients), seconds=seconds, request=request, seed=seed)
                )
                done.server_cpu = cpu_seconds(served.pid) - server_before
                done.client_cpu = time.process_time() - client_before
                return done

            warm = run("warm-up", args.clients, 3.0, post_report, args.seed)  # connections, caches
            many, one = args.clients, args.baseline_seconds
            main_case = run(f"POST /reports, {many} clients", many, args.seconds, post_report, args.seed + 1)
            single = run("baseline: POST /reports, 1 client", 1, one, post_report, args.seed + 2)
            me = run(f"baseline: GET /me, {many} clients", many, one, get_me, 0)
        acknowledged = warm.acknowledged + main_case.acknowledged + single.acknowledged
        stored = stored_count(engine, acknowledged)
        added = report_rows(engine) - before
        engine.dispose()

    lost = len(acknowledged) - stored
    cases = [main_case, single, me]
    rows = [
        (
            r.case,
            f"{len(r.latencies):,}",
            f"{r.per_second:,.0f}",
            f"{r.percentile(0.5):.1f}",
            f"{r.percentile(0.99):.1f}",
            f"{r.cpu_ms:.1f}",
            f"{r.client_cpu_ms:.1f}",
            ", ".join(f"{k}: {v}" for k, v in r.failures.items()) or "none",
        )
        for r in cases
    ]
    which = "the default" if args.workers is None else f"default is {default_workers}"
    table = render_table(
        f"Intake on loopback: `ceasefire serve` with {workers} worker(s) ({which}), PostgreSQL, "
        f"{os.cpu_count()} CPUs shared by server, database and client",
        rows,
        (
            "case",
            "requests",
            "per second",
            "p50 ms",
            "p99 ms",
            "server CPU ms/request",
            "client CPU ms/request",
            "failures",
        ),
    )
    verdict = [
        (
            "reports/s (main case)",
            f"{main_case.per_second:,.0f}",
            f">= {GOALS['reports_per_second']:.0f}",
            "met" if main_case.per_second >= GOALS["reports_per_second"] else "NOT met",
        ),
        (
            "p99 latency (main case)",
            f"{main_case.percentile(0.99):.0f} ms",
            f"< {GOALS['p99_ms']:.0f} ms",
            "met" if main_case.percentile(0.99) < GOALS["p99_ms"] else "NOT met",
        ),
        (
            "acknowledged reports missing from the database",
            f"{lost} of {len(acknowledged):,}",
            "0",
            "met" if lost == 0 else "NOT met",
        ),
        (
            "speed-up of concurrency over one client",
            f"{main_case.per_second / single.per_second:.1f}x",
            "",
            "",
        ),
    ]
    table += "\n" + render_table("Goals", verdict, ("measure", "value", "goal", "status"))
    table += (
        f"\n{stored:,} of the {len(acknowledged):,} reports acknowledged with 201 (warm-up included) "
        f"found in the database by id; the run added {added:,} report rows. Load average of the "
        f"machine when the run began: {load_before:.1f} (other work on the machine slows every case).\n"
        f"\nAt {main_case.cpu_ms:.1f} ms of server CPU per report, one worker process cannot pass "
        f"{1000 / main_case.cpu_ms:,.0f} reports/s on one core, whatever the concurrency; an authenticated "
        f"GET /me alone costs {me.cpu_ms:.1f} ms (HTTP, routing, token check, transaction).\n"
    )
    print(table)
    write_results(
        "intake" if args.workers is None else f"intake_workers_{args.workers}",
        {
            "workers": workers,
            "load_average_at_start": load_before,
            "cpus": os.cpu_count(),
            "cases": [r.as_dict() for r in cases],
            "acknowledged": len(acknowledged),
            "stored": stored,
            "lost": lost,
            "report_rows_added": added,
            "goals": GOALS,
        },
        table,
        setting=f"server with {workers} worker(s); {os.cpu_count()} CPUs shared with PostgreSQL and client",
    )


if __name__ == "__main__":
    main()
